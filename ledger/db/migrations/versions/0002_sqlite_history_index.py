"""SQLite: the player's history page read from one index

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# As `ledger.db.models.SQLITE_HISTORY_INDEX` and its columns stood at this revision.
NAME = "ix_entries_player_history"
COLUMNS = [
    "player", "seq", "kind", "campaign_id", "amount", "ref", "aux", "reward_seq", "batch_id", "batch_index",
    "head", "block_number", "block_hash", "block_time", "tx_hash", "log_index", "sender",
]  # fmt: skip


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.create_index(NAME, "entries", COLUMNS, unique=False, if_not_exists=True)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.drop_index(NAME, table_name="entries", if_exists=True)  # a bulk load may have dropped it
