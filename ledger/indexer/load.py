"""Load: one block range's rows, the aggregates they move and the cursor, in one transaction."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy import Connection, Engine, exists, select, update

from ledger.db import tables as t
from ledger.db.checkpoint import Checkpointer
from ledger.db.engine import WRITE
from ledger.db.figures import add_to_campaigns, add_to_totals, chunks
from ledger.db.types import MAX_U256, U256_DIGITS
from ledger.errors import IndexerError
from ledger.indexer.cursor import CursorState, lock_cursor
from ledger.indexer.extract import Block
from ledger.indexer.transform import ENTRY_COLUMNS, Batch, EntryRow, TransformFailed
from ledger.model import PLAYER_FIGURES, PlayerFigures

PRUNE_EVERY = 256  # blocks of finality between prunes of the blocks table


@contextmanager
def writing(engine: Engine) -> Iterator[Connection]:
    """A write transaction (BEGIN IMMEDIATE on SQLite), committed on success."""
    with engine.connect() as conn:
        conn.execution_options(**{WRITE: True})
        with conn.begin():
            yield conn


@dataclass(frozen=True)
class Progress:
    """What the indexer reports after each step, to the status table and the log."""

    indexer_block: int
    chain_block: int
    lag_seconds: float
    rows: int = 0


def write_batch(
    engine: Engine, batch: Batch, base: CursorState, tip: Block, finalized: int, progress: Progress,
    cache: PlayerCache | None = None, checkpointer: Checkpointer | None = None,
) -> CursorState:  # fmt: skip
    """Writes `batch` (read from the blocks after `base`, up to `tip`) and moves the cursor."""
    cache = cache if cache is not None else PlayerCache()
    try:
        players = _write(engine, batch, base, tip, finalized, progress, cache, checkpointer)
    except BaseException:
        cache.clear()  # it may hold rows that were never committed
        raise
    cache.remember(players)
    if checkpointer is not None:
        checkpointer.poke()
    return replace(
        base, last_block=tip.number, last_block_hash=tip.hash, finalized_block=finalized, mirror=batch.head
    )


def _write(
    engine: Engine, batch: Batch, base: CursorState, tip: Block, finalized: int, progress: Progress,
    cache: PlayerCache, checkpointer: Checkpointer | None,
) -> list[dict[str, Any]]:  # fmt: skip
    with writing(engine) as conn:
        lock_cursor(conn, base)
        if checkpointer is not None:
            checkpointer.prepare_writer(conn)
        t.upsert(conn, t.blocks, batch.blocks, ["number"])
        _insert_rows(conn, batch)
        _apply_campaigns(conn, batch)
        players = _apply_players(conn, batch.figures.players, cache)
        _apply_totals(conn, batch)
        if finalized // PRUNE_EVERY != base.finalized_block // PRUNE_EVERY:
            _prune_blocks(conn, finalized, tip.number)
        cursor = {"last_block": tip.number, "last_block_hash": tip.hash, "finalized_block": finalized}
        conn.execute(update(t.cursor).values(**cursor))
        write_status(conn, progress)
    return players


def _insert_rows(conn: Connection, batch: Batch) -> None:
    if not batch.events:
        return
    stmt = t.insert_ignoring(conn, t.events, ["chain_id", "tx_hash", "log_index"])
    returned = conn.execute(
        stmt.returning(t.events.c.id, t.events.c.tx_hash, t.events.c.log_index), batch.events
    )
    ids = {(row.tx_hash, row.log_index): row.id for row in returned}
    event_ids = [ids.get((e["tx_hash"], e["log_index"])) for e in batch.events]
    if any(event_ids[i] is None for i in set(batch.entry_events)):
        raise IndexerError(
            "an event of this range is mirrored but its entries are not: the mirror is inconsistent, rebuild it"
        )
    prepared = batch.prepared or prepare_rows(batch, conn.dialect.name)
    entries = prepared["entries"]
    with_ids = [(*v, event_ids[i]) for v, i in zip(entries.values, batch.entry_events, strict=True)]
    t.bulk_insert(conn, t.entries, t.DriverRows([*entries.columns, "event_id"], with_ids))
    for table in (t.payouts, t.reversals, t.expiries):
        t.bulk_insert(conn, table, prepared[table.name])


def prepare_rows(batch: Batch, dialect: str) -> dict[str, t.DriverRows]:
    """The batch's plain inserts as driver rows; the read-ahead thread does this ahead of the writer."""
    prepared = {
        table.name: t.driver_rows(dialect, table, rows)
        for table, rows in ((t.payouts, batch.payouts), (t.reversals, batch.reversals), (t.expiries, batch.expiries))
    }  # fmt: skip
    prepared[t.entries.name] = _entry_rows(batch.entries, dialect)
    return prepared


def _entry_rows(rows: list[EntryRow], dialect: str) -> t.DriverRows:
    """Entry rows (amount last) as the driver takes them: the amount checked and, on SQLite,
    zero-padded text, exactly as `U256` binds it."""
    if rows and (min(row[-1] for row in rows) < 0 or max(row[-1] for row in rows) > MAX_U256):
        raise ValueError("an amount of entries.amount is not a uint256")
    if dialect != "postgresql":
        rows = [(*row[:-1], str(row[-1]).zfill(U256_DIGITS)) for row in rows]
    return t.DriverRows(list(ENTRY_COLUMNS), rows)


def _apply_campaigns(conn: Connection, batch: Batch) -> None:
    if batch.campaigns:
        conn.execute(t.insert_ignoring(conn, t.campaigns, ["campaign_id"]), batch.campaigns)
    for campaign_id, block in batch.closures:
        conn.execute(
            update(t.campaigns)
            .where(t.campaigns.c.campaign_id == campaign_id)
            .values(closed=True, closed_block=block)
        )
    add_to_campaigns(conn, batch.figures.campaigns)


class PlayerCache:
    """The `players` rows this writer last committed, so a range does not read them back.

    Valid while this indexer is the only writer, which the cursor lock checks; the indexer clears
    it after a failed write, a moved cursor or a reorg.
    """

    LIMIT = 500_000  # rows kept before starting afresh

    def __init__(self) -> None:
        self.rows: dict[str, dict[str, Any]] = {}

    def remember(self, rows: list[dict[str, Any]]) -> None:
        if len(self.rows) + len(rows) > self.LIMIT:
            self.rows.clear()
        self.rows.update((row["player"], row) for row in rows)

    def clear(self) -> None:
        self.rows.clear()


def _apply_players(
    conn: Connection, deltas: dict[str, PlayerFigures], cache: PlayerCache
) -> list[dict[str, Any]]:
    known = {player: cache.rows.get(player) for player in deltas}
    c = t.players.c
    for keys in chunks([player for player, row in known.items() if row is None]):
        for row in conn.execute(select(t.players).where(c.player.in_(keys))):
            known[row.player] = dict(row._mapping)
    rows = [_moved(player, deltas[player], known[player]) for player in deltas]
    t.bulk_upsert(conn, t.players, rows, ["player"])
    return rows


def _moved(player: str, d: PlayerFigures, old: dict[str, Any] | None) -> dict[str, Any]:
    """A player's row after `d` (amounts stay exact Python integers)."""
    if old is None:
        old = dict.fromkeys((*PLAYER_FIGURES, "entries"), 0)
        old["first_seq"] = d.first_seq
    row: dict[str, Any] = {"player": player}
    for name in PLAYER_FIGURES:
        row[name] = old[name] + d.values[name]
    row.update(entries=old["entries"] + d.entries, first_seq=old["first_seq"], last_seq=d.last_seq,
               last_block=d.last_block)  # fmt: skip
    return row


def _apply_totals(conn: Connection, batch: Batch) -> None:
    add_to_totals(conn, batch.figures.totals, entry_count=batch.head.count, head="0x" + batch.head.head.hex())


def _prune_blocks(conn: Connection, finalized: int, keep: int) -> None:
    """Forgets final blocks that hold no event: their hashes can no longer matter to a reorg."""
    has_event = exists().where(t.events.c.block_number == t.blocks.c.number)
    conn.execute(
        t.blocks.delete().where(t.blocks.c.number < finalized, t.blocks.c.number != keep, ~has_event)
    )


def write_status(conn: Connection, progress: Progress, error: str | None = None, reorg: bool = False) -> None:
    s = t.status.c
    conn.execute(
        update(t.status)
        .where(s.id == 1)
        .values(
            indexer_block=progress.indexer_block,
            chain_block=progress.chain_block,
            lag_blocks=max(progress.chain_block - progress.indexer_block, 0),
            lag_seconds=max(progress.lag_seconds, 0.0),
            rows_written=s.rows_written + progress.rows,
            reorgs=s.reorgs + (1 if reorg else 0),
            last_error=error,
            updated_at=time.time(),
        )
    )


def report_error(engine: Engine, message: str) -> None:
    """Records why the indexer is waiting or stopped, for the status route."""
    with writing(engine) as conn:
        conn.execute(
            update(t.status).where(t.status.c.id == 1).values(last_error=message, updated_at=time.time())
        )


def record_failure(engine: Engine, chain_id: int, failure: TransformFailed) -> None:
    """Keeps the log that could not be mirrored, with its location, and says so in the status."""
    with writing(engine) as conn:
        conn.execute(
            t.decode_errors.insert().values(
                chain_id=chain_id,
                block_number=failure.block_number,
                block_hash=failure.block_hash,
                tx_hash=failure.tx_hash,
                log_index=failure.log_index,
                topic0=failure.topic0,
                message=failure.problem,
                created_at=time.time(),
            )
        )
        conn.execute(
            update(t.status).where(t.status.c.id == 1).values(last_error=str(failure), updated_at=time.time())
        )
