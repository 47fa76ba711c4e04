"""Core table objects and dialect-aware upserts, for bulk writes that skip the ORM's overhead."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from operator import itemgetter
from typing import Any

from sqlalchemy import Connection, Table
from sqlalchemy.sql.dml import Insert
from sqlmodel import SQLModel

import ledger.db.models  # noqa: F401 - registers the tables on the metadata
from ledger.db.types import MAX_U256, U256, U256_DIGITS

TABLES = SQLModel.metadata.tables
events: Table = TABLES["events"]
entries: Table = TABLES["entries"]
players: Table = TABLES["players"]
campaigns: Table = TABLES["campaigns"]
payouts: Table = TABLES["payouts"]
reversals: Table = TABLES["reversals"]
expiries: Table = TABLES["expiries"]
totals: Table = TABLES["totals"]
blocks: Table = TABLES["blocks"]
cursor: Table = TABLES["indexer_cursor"]
status: Table = TABLES["indexer_status"]
decode_errors: Table = TABLES["decode_errors"]


def insert_for(conn: Connection, table: Table) -> Any:
    """An INSERT with the dialect's ON CONFLICT clauses available (each dialect's package is
    imported by the one that uses it: a SQLite mirror need not load PostgreSQL's drivers' code)."""
    if conn.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        return pg_insert(table)
    from sqlalchemy.dialects.sqlite import insert as sqlite_insert

    return sqlite_insert(table)


def upsert(conn: Connection, table: Table, rows: Sequence[dict[str, Any]], keys: Sequence[str]) -> None:
    """Inserts `rows`, replacing every other column of rows whose `keys` already exist."""
    if not rows:
        return
    stmt = insert_for(conn, table)
    updates = {c: stmt.excluded[c] for c in rows[0] if c not in keys}
    conn.execute(stmt.on_conflict_do_update(index_elements=list(keys), set_=updates), list(rows))


def insert_ignoring(conn: Connection, table: Table, keys: Sequence[str]) -> Insert:
    """An INSERT that skips rows whose `keys` already exist (idempotent re-inserts)."""
    stmt: Insert = insert_for(conn, table).on_conflict_do_nothing(index_elements=list(keys))
    return stmt


@dataclass(frozen=True)
class DriverRows:
    """Rows as the driver takes them: column names (amounts last) and one tuple per row."""

    columns: list[str]
    values: list[tuple[Any, ...]]


def bulk_insert(conn: Connection, table: Table, rows: Sequence[dict[str, Any]] | DriverRows) -> None:
    """Plain inserts of many rows at driver speed: COPY on PostgreSQL, executemany on SQLite.

    SQLAlchemy's per-row parameter processing costs more than SQLite's own insert; amounts are
    checked and converted here exactly as `U256` would.
    """
    if not rows:
        return
    prepared = rows if isinstance(rows, DriverRows) else driver_rows(conn.dialect.name, table, rows)
    if not prepared.values:
        return
    names = ", ".join(f'"{c}"' for c in prepared.columns)
    if conn.dialect.name == "postgresql":
        _copy(conn, table.name, names, prepared.values)
        return
    marks = ", ".join("?" for _ in prepared.columns)
    conn.exec_driver_sql(f'INSERT INTO "{table.name}" ({names}) VALUES ({marks})', prepared.values)


def bulk_upsert(conn: Connection, table: Table, rows: Sequence[dict[str, Any]], keys: Sequence[str]) -> None:
    """Inserts or replaces many rows at driver speed (PostgreSQL: COPY to a staging table first)."""
    if not rows:
        return
    prepared = driver_rows(conn.dialect.name, table, rows)
    columns, values = prepared.columns, prepared.values
    names = ", ".join(f'"{c}"' for c in columns)
    updates = ", ".join(f'"{c}" = excluded."{c}"' for c in columns if c not in keys)
    conflict = f"ON CONFLICT ({', '.join(keys)}) DO UPDATE SET {updates}"
    if conn.dialect.name == "postgresql":
        stage = f"stage_{table.name}"
        conn.exec_driver_sql(
            f'CREATE TEMP TABLE IF NOT EXISTS "{stage}" (LIKE "{table.name}") ON COMMIT DELETE ROWS'
        )
        _copy(conn, stage, names, values)
        conn.exec_driver_sql(f'INSERT INTO "{table.name}" ({names}) SELECT {names} FROM "{stage}" {conflict}')
        return
    marks = ", ".join("?" for _ in columns)
    conn.exec_driver_sql(f'INSERT INTO "{table.name}" ({names}) VALUES ({marks}) {conflict}', values)


def _copy(conn: Connection, table: str, names: str, values: list[tuple[Any, ...]]) -> None:
    raw = conn.connection.driver_connection
    assert raw is not None
    with raw.cursor() as cursor, cursor.copy(f'COPY "{table}" ({names}) FROM STDIN') as copy:
        for value in values:
            copy.write_row(value)


def driver_rows(dialect: str, table: Table, rows: Sequence[dict[str, Any]]) -> DriverRows:
    """Column names (amounts last) and value tuples, amounts range-checked and, on SQLite,
    zero-padded text. Works column-wise: per-row Python is what bulk writes spend their time on."""
    if not rows:
        return DriverRows([], [])
    money = [name for name in rows[0] if isinstance(table.c[name].type, U256)]
    plain = [name for name in rows[0] if name not in money]
    values = _tuples(rows, plain)
    if not money:
        return DriverRows(plain, values)
    amounts = [[row[name] for row in rows] for name in money]
    for name, column in zip(money, amounts, strict=True):
        if min(column) < 0 or max(column) > MAX_U256:
            raise ValueError(f"an amount of {table.name}.{name} is not a uint256")
    if dialect != "postgresql":
        amounts = [[str(amount).zfill(U256_DIGITS) for amount in column] for column in amounts]
    return DriverRows(plain + money, [a + b for a, b in zip(values, zip(*amounts, strict=True), strict=True)])


def _tuples(rows: Sequence[dict[str, Any]], names: list[str]) -> list[tuple[Any, ...]]:
    if len(names) == 1:
        return [(row[names[0]],) for row in rows]
    return list(map(itemgetter(*names), rows))
