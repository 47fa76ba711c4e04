"""The mirror's schema: Alembic migrations, exact uint256 amounts, SQLite settings."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine, insert, select, text
from sqlmodel import SQLModel

from ledger.db import tables as t
from ledger.db.engine import make_engine
from ledger.db.migrate import current_revision, head_revision, upgrade
from ledger.db.types import MAX_U256


def test_migrations_build_exactly_the_models_and_can_run_again(database_url: str) -> None:
    engine = make_engine(database_url)
    try:
        upgrade(engine)
        upgrade(engine)  # a second start finds nothing to do
        assert current_revision(engine) == head_revision()
        with engine.connect() as conn:
            assert compare_metadata(MigrationContext.configure(conn), SQLModel.metadata) == []
    finally:
        engine.dispose()


def test_the_largest_uint256_round_trips_exactly_through_orm_and_bulk_writes(database_url: str) -> None:
    engine = make_engine(database_url)
    upgrade(engine)
    try:
        player = {
            "player": "0x" + "11" * 32, "balance": MAX_U256, "earned": MAX_U256 - 1, "paid": 0, "reversed": 1,
            "expired": 2**255, "entries": 1, "first_seq": 1, "last_seq": 1, "last_block": 1,
        }  # fmt: skip
        second = {**player, "player": "0x" + "22" * 32, "balance": MAX_U256 - 12345}
        with engine.begin() as conn:
            conn.execute(insert(t.players), [player])
            t.bulk_insert(conn, t.players, [second])
        with engine.connect() as conn:
            rows = {r.player: r for r in conn.execute(select(t.players))}
            ordered = (
                conn.execute(select(t.players.c.player).order_by(t.players.c.balance.desc())).scalars().all()
            )
        assert rows[player["player"]].balance == MAX_U256 and rows[player["player"]].expired == 2**255
        assert rows[second["player"]].balance == MAX_U256 - 12345
        assert ordered == [player["player"], second["player"]]  # amounts sort as numbers on both databases
    finally:
        engine.dispose()


def test_sqlite_mirrors_use_wal_a_busy_timeout_and_foreign_keys(tmp_path) -> None:  # type: ignore[no-untyped-def]
    engine: Engine = make_engine(f"sqlite:///{tmp_path / 'nested' / 'mirror.db'}")
    try:
        with engine.connect() as conn:
            assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
            assert conn.execute(text("PRAGMA busy_timeout")).scalar() == 30_000
            assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
    finally:
        engine.dispose()
