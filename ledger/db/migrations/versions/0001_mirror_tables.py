"""The mirror's tables: events, entries, derived totals, blocks, cursor and status

Revision ID: 0001
Revises:
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from ledger.db.types import U256

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "blocks",
        sa.Column("number", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("hash", sa.String(length=66), nullable=False),
        sa.Column("parent_hash", sa.String(length=66), nullable=False),
        sa.Column("timestamp", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("number"),
    )
    op.create_table(
        "campaigns",
        sa.Column("campaign_id", sa.String(length=66), nullable=False),
        sa.Column("budget", U256(), nullable=False),
        sa.Column("issued", U256(), nullable=False),
        sa.Column("reversed", U256(), nullable=False),
        sa.Column("start_time", sa.BigInteger(), nullable=False),
        sa.Column("end_time", sa.BigInteger(), nullable=False),
        sa.Column("closed", sa.Boolean(), nullable=False),
        sa.Column("terms_hash", sa.String(length=66), nullable=False),
        sa.Column("created_block", sa.BigInteger(), nullable=False),
        sa.Column("created_tx", sa.String(length=66), nullable=False),
        sa.Column("closed_block", sa.BigInteger(), nullable=True),
        sa.PrimaryKeyConstraint("campaign_id"),
    )
    op.create_table(
        "decode_errors",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("chain_id", sa.BigInteger(), nullable=False),
        sa.Column("block_number", sa.BigInteger(), nullable=False),
        sa.Column("block_hash", sa.String(length=66), nullable=False),
        sa.Column("tx_hash", sa.String(length=66), nullable=False),
        sa.Column("log_index", sa.Integer(), nullable=False),
        sa.Column("topic0", sa.String(length=66), nullable=True),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("created_at", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("chain_id", sa.BigInteger(), nullable=False),
        sa.Column("contract", sa.String(length=42), nullable=False),
        sa.Column("block_number", sa.BigInteger(), nullable=False),
        sa.Column("block_hash", sa.String(length=66), nullable=False),
        sa.Column("tx_hash", sa.String(length=66), nullable=False),
        sa.Column("log_index", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=32), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=True),
        sa.Column("entries", sa.Integer(), nullable=False),
        sa.Column("data", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("chain_id", "tx_hash", "log_index", name="uq_events_location"),
    )
    op.create_index(op.f("ix_events_block_number"), "events", ["block_number"], unique=False)
    op.create_index(op.f("ix_events_name"), "events", ["name"], unique=False)

    op.create_table(
        "indexer_cursor",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("chain_id", sa.BigInteger(), nullable=False),
        sa.Column("contract", sa.String(length=42), nullable=False),
        sa.Column("start_block", sa.BigInteger(), nullable=False),
        sa.Column("last_block", sa.BigInteger(), nullable=False),
        sa.Column("last_block_hash", sa.String(length=66), nullable=False),
        sa.Column("finalized_block", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "indexer_status",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("indexer_block", sa.BigInteger(), nullable=False),
        sa.Column("chain_block", sa.BigInteger(), nullable=False),
        sa.Column("lag_blocks", sa.BigInteger(), nullable=False),
        sa.Column("lag_seconds", sa.Float(), nullable=False),
        sa.Column("rows_written", sa.BigInteger(), nullable=False),
        sa.Column("reorgs", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("updated_at", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "players",
        sa.Column("player", sa.String(length=66), nullable=False),
        sa.Column("balance", U256(), nullable=False),
        sa.Column("earned", U256(), nullable=False),
        sa.Column("paid", U256(), nullable=False),
        sa.Column("reversed", U256(), nullable=False),
        sa.Column("expired", U256(), nullable=False),
        sa.Column("entries", sa.Integer(), nullable=False),
        sa.Column("first_seq", sa.BigInteger(), nullable=False),
        sa.Column("last_seq", sa.BigInteger(), nullable=False),
        sa.Column("last_block", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("player"),
    )
    op.create_table(
        "totals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("entry_count", sa.BigInteger(), nullable=False),
        sa.Column("head", sa.String(length=66), nullable=False),
        sa.Column("issued", U256(), nullable=False),
        sa.Column("paid", U256(), nullable=False),
        sa.Column("reversed", U256(), nullable=False),
        sa.Column("expired", U256(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "entries",
        sa.Column("seq", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("campaign_id", sa.String(length=66), nullable=True),
        sa.Column("player", sa.String(length=66), nullable=False),
        sa.Column("amount", U256(), nullable=False),
        sa.Column("ref", sa.String(length=66), nullable=False),
        sa.Column("aux", sa.String(length=66), nullable=False),
        sa.Column("reward_seq", sa.BigInteger(), nullable=True),
        sa.Column("batch_id", sa.String(length=66), nullable=True),
        sa.Column("batch_index", sa.Integer(), nullable=True),
        sa.Column("head", sa.String(length=66), nullable=False),
        sa.Column("block_number", sa.BigInteger(), nullable=False),
        sa.Column("block_hash", sa.String(length=66), nullable=False),
        sa.Column("block_time", sa.BigInteger(), nullable=False),
        sa.Column("tx_hash", sa.String(length=66), nullable=False),
        sa.Column("log_index", sa.Integer(), nullable=False),
        sa.Column("sender", sa.String(length=42), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["event_id"], ["events.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("seq"),
    )
    op.create_index(op.f("ix_entries_block_number"), "entries", ["block_number"], unique=False)
    op.create_index(op.f("ix_entries_block_time"), "entries", ["block_time"], unique=False)
    op.create_index("ix_entries_campaign_seq", "entries", ["campaign_id", "seq"], unique=False)
    op.create_index("ix_entries_kind_seq", "entries", ["kind", "seq"], unique=False)
    op.create_index("ix_entries_player_seq", "entries", ["player", "seq"], unique=False)
    op.create_index(op.f("ix_entries_reward_seq"), "entries", ["reward_seq"], unique=False)
    op.create_index(op.f("ix_entries_sender"), "entries", ["sender"], unique=False)
    op.create_index(op.f("ix_entries_tx_hash"), "entries", ["tx_hash"], unique=False)

    op.create_table(
        "expiries",
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("player", sa.String(length=66), nullable=False),
        sa.Column("amount", U256(), nullable=False),
        sa.Column("ref", sa.String(length=66), nullable=False),
        sa.Column("reason", sa.String(length=66), nullable=False),
        sa.Column("block_number", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(["seq"], ["entries.seq"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("seq"),
    )
    op.create_index(op.f("ix_expiries_player"), "expiries", ["player"], unique=False)

    op.create_table(
        "payouts",
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("player", sa.String(length=66), nullable=False),
        sa.Column("amount", U256(), nullable=False),
        sa.Column("ref", sa.String(length=66), nullable=False),
        sa.Column("block_number", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(["seq"], ["entries.seq"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("seq"),
    )
    op.create_index(op.f("ix_payouts_player"), "payouts", ["player"], unique=False)

    op.create_table(
        "reversals",
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("reward_seq", sa.BigInteger(), nullable=False),
        sa.Column("player", sa.String(length=66), nullable=False),
        sa.Column("campaign_id", sa.String(length=66), nullable=False),
        sa.Column("amount", U256(), nullable=False),
        sa.Column("reason", sa.String(length=66), nullable=False),
        sa.Column("block_number", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(["seq"], ["entries.seq"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("seq"),
    )
    op.create_index(op.f("ix_reversals_player"), "reversals", ["player"], unique=False)
    op.create_index(op.f("ix_reversals_reward_seq"), "reversals", ["reward_seq"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_reversals_reward_seq"), table_name="reversals")
    op.drop_index(op.f("ix_reversals_player"), table_name="reversals")

    op.drop_table("reversals")
    op.drop_index(op.f("ix_payouts_player"), table_name="payouts")

    op.drop_table("payouts")
    op.drop_index(op.f("ix_expiries_player"), table_name="expiries")

    op.drop_table("expiries")
    op.drop_index(op.f("ix_entries_tx_hash"), table_name="entries")
    op.drop_index(op.f("ix_entries_sender"), table_name="entries")
    op.drop_index(op.f("ix_entries_reward_seq"), table_name="entries")
    op.drop_index("ix_entries_player_seq", table_name="entries")
    op.drop_index("ix_entries_kind_seq", table_name="entries")
    op.drop_index("ix_entries_campaign_seq", table_name="entries")
    op.drop_index(op.f("ix_entries_block_time"), table_name="entries")
    op.drop_index(op.f("ix_entries_block_number"), table_name="entries")

    op.drop_table("entries")
    op.drop_table("totals")
    op.drop_table("players")
    op.drop_table("indexer_status")
    op.drop_table("indexer_cursor")
    op.drop_index(op.f("ix_events_name"), table_name="events")
    op.drop_index(op.f("ix_events_block_number"), table_name="events")

    op.drop_table("events")
    op.drop_table("decode_errors")
    op.drop_table("campaigns")
    op.drop_table("blocks")
