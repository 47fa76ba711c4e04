"""Every SQL statement the audit runs, over one consistent snapshot of the mirror.

The audit reads the mirror only through here: the cursor and totals, each mirrored table
streamed in the order the chain produces it (entries by sequence number, events by location),
and the aggregates. One read transaction (REPEATABLE READ on PostgreSQL, one WAL snapshot on
SQLite) so an indexer writing meanwhile cannot make the audit compare two different mirrors.

The column lists name what the audit compares; `tests/audit` checks that they cover every
column of every mirrored table, so a new column cannot go unaudited.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Engine, Table, select

from ledger.db import tables as t
from ledger.hashchain import EntryKind

STREAM_ROWS = 5_000  # rows fetched at a time from a streamed query

# The order of the expected rows the audit builds from the chain (ledger.audit.expected).
ENTRY_COLUMNS = (
    "seq", "kind", "campaign_id", "player", "amount", "ref", "aux", "reward_seq", "batch_id", "batch_index",
    "head", "block_number", "block_hash", "block_time", "tx_hash", "log_index", "sender",
)  # fmt: skip
EVENT_COLUMNS = (
    "block_number", "log_index", "chain_id", "contract", "block_hash", "tx_hash", "name", "seq", "entries",
    "data",
)  # fmt: skip
BLOCK_COLUMNS = ("number", "hash", "parent_hash", "timestamp")
KIND_COLUMNS = {
    "payouts": ("seq", "player", "amount", "ref", "block_number"),
    "reversals": ("seq", "reward_seq", "player", "campaign_id", "amount", "reason", "block_number"),
    "expiries": ("seq", "player", "amount", "ref", "reason", "block_number"),
}
# The table that holds a row of its own for each entry of a kind, beside `entries`.
KIND_TABLES = {EntryKind.PAID: "payouts", EntryKind.REVERSED: "reversals", EntryKind.EXPIRED: "expiries"}
# Surrogate keys: they name a row inside the mirror, not a fact of the chain.
SURROGATE = {"events": ("id",), "entries": ("event_id",), "totals": ("id",)}


@dataclass(frozen=True)
class MirrorState:
    """Which ledger the mirror holds, how far, and its stored head."""

    chain_id: int
    contract: str
    start_block: int
    last_block: int
    last_block_hash: str
    entry_count: int
    head: str


@contextmanager
def snapshot(engine: Engine) -> Iterator[Connection]:
    """A read-only connection that sees one state of the mirror for as long as it is open."""
    with engine.connect() as conn:
        if conn.dialect.name == "postgresql":
            conn.execution_options(isolation_level="REPEATABLE READ", postgresql_readonly=True)
        with conn.begin():
            yield conn


def read_state(conn: Connection) -> MirrorState | None:
    """The cursor and the stored head, or None for a mirror that never indexed anything."""
    cursor = conn.execute(select(t.cursor).where(t.cursor.c.id == 1)).first()
    if cursor is None:
        return None
    totals = conn.execute(select(t.totals.c.entry_count, t.totals.c.head).where(t.totals.c.id == 1)).one()
    return MirrorState(
        cursor.chain_id, cursor.contract, cursor.start_block, cursor.last_block, cursor.last_block_hash,
        totals.entry_count, totals.head,
    )  # fmt: skip


def _stream(conn: Connection, query: Any) -> Iterator[list[Any]]:
    """The query's rows, `STREAM_ROWS` at a time (a server-side cursor on PostgreSQL)."""
    for part in conn.execute(query.execution_options(yield_per=STREAM_ROWS)).partitions():
        yield list(part)


def entries(conn: Connection, upto: int | None) -> Iterator[list[Any]]:
    """`entries` rows in sequence order (up to block `upto` if given), `event_id` last; like every
    stream here, in lists of `STREAM_ROWS`."""
    e = t.entries.c
    query = select(*(e[name] for name in ENTRY_COLUMNS), e.event_id).order_by(e.seq)
    return _stream(conn, query if upto is None else query.where(e.block_number <= upto))


def events(conn: Connection, upto: int | None) -> Iterator[list[Any]]:
    """`events` rows in chain order (by block, then log index), `id` last."""
    c = t.events.c
    query = select(*(c[name] for name in EVENT_COLUMNS), c.id).order_by(c.block_number, c.log_index)
    return _stream(conn, query if upto is None else query.where(c.block_number <= upto))


def kind_rows(conn: Connection, table: str, upto: int | None) -> Iterator[list[Any]]:
    """`payouts`, `reversals` or `expiries` rows in sequence order."""
    c = t.TABLES[table].c
    query = select(*(c[name] for name in KIND_COLUMNS[table])).order_by(c.seq)
    return _stream(conn, query if upto is None else query.where(c.block_number <= upto))


def blocks(conn: Connection, upto: int | None) -> Iterator[list[Any]]:
    c = t.blocks.c
    query = select(*(c[name] for name in BLOCK_COLUMNS)).order_by(c.number)
    return _stream(conn, query if upto is None else query.where(c.number <= upto))


def has_block(conn: Connection, number: int) -> bool:
    return conn.execute(select(t.blocks.c.number).where(t.blocks.c.number == number)).first() is not None


def campaigns(conn: Connection) -> list[Any]:
    return list(conn.execute(select(t.campaigns).order_by(t.campaigns.c.campaign_id)))


def players(conn: Connection) -> Iterator[Any]:
    """`players` rows in key order."""
    return (row for part in _stream(conn, select(t.players).order_by(t.players.c.player)) for row in part)


def totals(conn: Connection) -> Any:
    return conn.execute(select(t.totals).where(t.totals.c.id == 1)).one()


def mirrored_columns(table: Table) -> set[str]:
    """The columns of `table` that mirror something on chain (all but surrogate keys)."""
    return {c.name for c in table.c} - set(SURROGATE.get(table.name, ()))
