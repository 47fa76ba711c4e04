"""The operator API: access tokens (hashes only), the outbox of accepted writes, webhooks and deliveries

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from ledger.db.types import U256

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "operator_tokens",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("scope", sa.String(length=16), nullable=False),
        sa.Column("token_hash", sa.String(length=66), nullable=False),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.Column("revoked_at", sa.BigInteger(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("token_hash"),
    )
    op.create_table(
        "operator_writes",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("namespace", sa.String(length=8), nullable=False),
        sa.Column("ref", sa.String(length=66), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("campaign_id", sa.String(length=66), nullable=True),
        sa.Column("player", sa.String(length=66), nullable=False),
        sa.Column("amount", U256(), nullable=False),
        sa.Column("reason", sa.String(length=66), nullable=True),
        sa.Column("terms_hash", sa.String(length=66), nullable=True),
        sa.Column("starts_at", sa.BigInteger(), nullable=True),
        sa.Column("ends_at", sa.BigInteger(), nullable=True),
        sa.Column("status", sa.String(length=8), nullable=False),
        sa.Column("failure", sa.Text(), nullable=True),
        sa.Column("conflict_seq", sa.BigInteger(), nullable=True),
        sa.Column("request_id", sa.String(length=32), nullable=False),
        sa.Column("token_id", sa.Integer(), nullable=True),
        sa.Column("batch_id", sa.String(length=66), nullable=True),
        sa.Column("seq", sa.BigInteger(), nullable=True),
        sa.Column("block_number", sa.BigInteger(), nullable=True),
        sa.Column("lease_until", sa.BigInteger(), nullable=True),
        sa.Column("accepted_at", sa.BigInteger(), nullable=False),
        sa.Column("updated_at", sa.BigInteger(), nullable=False),
        sa.Column("notified_at", sa.BigInteger(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("namespace", "ref", name="uq_operator_writes_ref"),
    )
    op.create_index("ix_operator_writes_status_id", "operator_writes", ["status", "id"], unique=False)
    op.create_table(
        "operator_webhooks",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("url", sa.String(length=2048), nullable=False),
        sa.Column("secret", sa.String(length=128), nullable=False),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.Column("removed_at", sa.BigInteger(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "operator_deliveries",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("delivery_id", sa.String(length=32), nullable=False),
        sa.Column("webhook_id", sa.Integer(), nullable=False),
        sa.Column("write_id", sa.Integer(), nullable=False),
        sa.Column("event", sa.String(length=16), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.Float(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.Column("delivered_at", sa.BigInteger(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("delivery_id"),
        sa.UniqueConstraint("webhook_id", "write_id", "event", name="uq_operator_deliveries_event"),
    )
    op.create_index(
        "ix_operator_deliveries_webhook_status_id",
        "operator_deliveries",
        ["webhook_id", "status", "id"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index("ix_operator_deliveries_webhook_status_id", table_name="operator_deliveries")
    op.drop_table("operator_deliveries")
    op.drop_table("operator_webhooks")
    op.drop_index("ix_operator_writes_status_id", table_name="operator_writes")
    op.drop_table("operator_writes")
    op.drop_table("operator_tokens")
