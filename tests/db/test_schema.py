"""The mirror's schema: Alembic migrations, exact uint256 amounts, SQLite settings."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine, insert, inspect, select, text
from sqlmodel import SQLModel

from api.store.common import ENTRY_COLUMNS
from api.store.entries import _page_sql
from ledger.db import tables as t
from ledger.db.engine import make_engine
from ledger.db.migrate import current_revision, head_revision, upgrade
from ledger.db.models import SQLITE_HISTORY_INDEX, include_object
from ledger.db.types import MAX_U256


def test_migrations_build_exactly_the_models_and_can_run_again(database_url: str) -> None:
    engine = make_engine(database_url)
    try:
        upgrade(engine)
        upgrade(engine)  # a second start finds nothing to do
        assert current_revision(engine) == head_revision()
        with engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"include_object": include_object})
            assert compare_metadata(context, SQLModel.metadata) == []
            indexes = {index["name"]: index["column_names"] for index in inspect(conn).get_indexes("entries")}
        # On SQLite alone, an index led by (player, seq) holding every column the history page reads.
        if engine.dialect.name == "sqlite":
            read = {
                column.removeprefix("e.") for column in ENTRY_COLUMNS.format(amount="e.amount").split(", ")
            }
            assert indexes[SQLITE_HISTORY_INDEX][:2] == ["player", "seq"]
            assert set(indexes[SQLITE_HISTORY_INDEX]) == read
        else:
            assert SQLITE_HISTORY_INDEX not in indexes
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


def test_sqlite_reads_a_players_history_page_from_one_index(tmp_path) -> None:  # type: ignore[no-untyped-def]
    engine = make_engine(f"sqlite:///{tmp_path / 'mirror.db'}")
    upgrade(engine)
    try:
        with engine.connect() as conn:
            for after in (False, True):
                sql = _page_sql("e.amount", ("player",), "desc", after)
                plan = " ".join(
                    str(row[-1])
                    for row in conn.exec_driver_sql(
                        f"EXPLAIN QUERY PLAN {sql}", {"player": "0x" + "11" * 32, "after": 5, "limit": 11}
                    )
                )
                assert f"USING COVERING INDEX {SQLITE_HISTORY_INDEX}" in plan, plan
    finally:
        engine.dispose()
