"""Games: tier tables, badges with evidence, tournaments' latest standings with proofs

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from ledger.db.types import U256

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "games_tier_tables",
        sa.Column("version", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("table_hash", sa.String(length=66), nullable=False),
        sa.Column("document", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("version"),
    )
    op.create_table(
        "games_badges",
        sa.Column("player", sa.String(length=66), nullable=False),
        sa.Column("badge_id", sa.String(length=66), nullable=False),
        sa.Column("rule", sa.Text(), nullable=False),
        sa.Column("evidence", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("player", "badge_id"),
    )
    op.create_table(
        "games_tournaments",
        sa.Column("tournament_id", sa.String(length=66), nullable=False),
        sa.Column("commit_index", sa.Integer(), nullable=False),
        sa.Column("root", sa.String(length=66), nullable=False),
        sa.Column("participants", sa.BigInteger(), nullable=False),
        sa.Column("final", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("tournament_id"),
    )
    op.create_table(
        "games_standings",
        sa.Column("tournament_id", sa.String(length=66), nullable=False),
        sa.Column("rank", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("player", sa.String(length=66), nullable=False),
        sa.Column("score", U256(), nullable=False),
        sa.Column("line", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("tournament_id", "rank"),
    )
    op.create_index("ix_games_standings_player", "games_standings", ["tournament_id", "player"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_games_standings_player", table_name="games_standings")
    for table in ("games_standings", "games_tournaments", "games_badges", "games_tier_tables"):
        op.drop_table(table)
