"""Bulk loading: a cold backfill writes the entries without their secondary indexes and builds
each index once at the end, which costs far less than keeping eight indexes up to date row by row
(nine on SQLite, whose history index holds a copy of every entry).

An indexer killed mid-load leaves the indexes missing; `restore_indexes` (run at every start)
builds them again.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Engine, inspect

from ledger.db import tables as t
from ledger.db.models import SQLITE_HISTORY_COLUMNS, SQLITE_HISTORY_INDEX

log = logging.getLogger("ledger.indexer")
BULK_TABLES = (t.entries,)


def _dialect_indexes(dialect: str) -> dict[str, tuple[str, tuple[str, ...]]]:
    """Indexes one dialect has beyond the metadata's: name -> (table, columns)."""
    if dialect == "sqlite":
        return {SQLITE_HISTORY_INDEX: (t.entries.name, SQLITE_HISTORY_COLUMNS)}
    return {}


def bulk_index_names(dialect: str) -> set[str]:
    """The secondary indexes a bulk load drops and builds again."""
    return {str(index.name) for table in BULK_TABLES for index in table.indexes} | set(
        _dialect_indexes(dialect)
    )


def restore_indexes(engine: Engine) -> int:
    """Builds any secondary index of the bulk-loaded tables that is missing; returns how many."""
    built = 0
    with engine.begin() as conn:
        present = {ix["name"] for table in BULK_TABLES for ix in inspect(conn).get_indexes(table.name)}
        for table in BULK_TABLES:
            for index in table.indexes:
                if index.name not in present:
                    index.create(conn)
                    built += 1
        for name, (table_name, columns) in _dialect_indexes(engine.dialect.name).items():
            if name not in present:
                conn.exec_driver_sql(f"CREATE INDEX {name} ON {table_name} ({', '.join(columns)})")
                built += 1
    return built


def drop_indexes(engine: Engine) -> None:
    """Drops the secondary indexes of the bulk-loaded tables."""
    with engine.begin() as conn:
        for table in BULK_TABLES:
            for index in table.indexes:
                index.drop(conn, checkfirst=True)
        for name in _dialect_indexes(engine.dialect.name):
            conn.exec_driver_sql(f"DROP INDEX IF EXISTS {name}")


@contextmanager
def bulk_loading(engine: Engine) -> Iterator[None]:
    """Drops the secondary indexes of the bulk-loaded tables for the duration, then rebuilds them."""
    drop_indexes(engine)
    try:
        yield
    finally:
        began = time.monotonic()
        built = restore_indexes(engine)
        log.info("built %d indexes after the bulk load in %.1f s", built, time.monotonic() - began)
