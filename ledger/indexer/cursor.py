"""Cursor: where the mirror stands, and taking it back to a common ancestor after a reorg."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection, Engine, func, select, update

from ledger.db import tables as t
from ledger.db.figures import add_to_campaigns, add_to_players, add_to_totals
from ledger.errors import IndexerError, ReorgTooDeep
from ledger.hashchain import ZERO32
from ledger.indexer.extract import Extractor
from ledger.indexer.transform import MirrorHead
from ledger.model import Figures


class CursorMoved(Exception):
    """Another writer moved the cursor since this indexer read it; state is read again."""


@dataclass(frozen=True)
class CursorState:
    chain_id: int
    contract: str
    start_block: int
    last_block: int
    last_block_hash: str
    finalized_block: int
    mirror: MirrorHead


def read_state(conn: Connection) -> CursorState | None:
    row = conn.execute(select(t.cursor).where(t.cursor.c.id == 1)).first()
    if row is None:
        return None
    totals = conn.execute(select(t.totals.c.entry_count, t.totals.c.head).where(t.totals.c.id == 1)).one()
    mirror = MirrorHead(int(totals.entry_count), bytes.fromhex(totals.head[2:]))
    return CursorState(
        row.chain_id,
        row.contract,
        row.start_block,
        row.last_block,
        row.last_block_hash,
        row.finalized_block,
        mirror,
    )


def ensure_cursor(
    engine: Engine, chain_id: int, contract: str, start_block: int, parent_hash: str
) -> CursorState:
    """The mirror's cursor, created at `start_block` on first use; refuses a mirror of another ledger."""
    with engine.connect() as conn, conn.begin():
        state = read_state(conn)
        if state is None:
            conn.execute(
                t.cursor.insert().values(
                    id=1, chain_id=chain_id, contract=contract.lower(), start_block=start_block,
                    last_block=start_block - 1, last_block_hash=parent_hash, finalized_block=-1,
                )
            )  # fmt: skip
            conn.execute(t.insert_ignoring(conn, t.totals, ["id"]).values(id=1, head="0x" + ZERO32.hex()))
            conn.execute(t.insert_ignoring(conn, t.status, ["id"]).values(id=1))
            state = read_state(conn)
    assert state is not None
    if state.chain_id != chain_id or state.contract != contract.lower():
        raise IndexerError(
            f"this database mirrors the ledger {state.contract} on chain {state.chain_id}, "
            f"not {contract.lower()} on chain {chain_id}: use another database"
        )
    return state


def lock_cursor(conn: Connection, expected: CursorState) -> None:
    """Locks the cursor row for this transaction and checks nobody moved it since it was read."""
    query = select(t.cursor.c.last_block, t.cursor.c.last_block_hash).where(t.cursor.c.id == 1)
    row = conn.execute(query.with_for_update()).one()
    count = conn.execute(select(t.totals.c.entry_count).where(t.totals.c.id == 1)).scalar_one()
    if (row.last_block, row.last_block_hash, count) != (
        expected.last_block,
        expected.last_block_hash,
        expected.mirror.count,
    ):
        raise CursorMoved(f"the cursor moved to block {row.last_block} under this indexer")


def find_ancestor(engine: Engine, extractor: Extractor, state: CursorState) -> tuple[int, str]:
    """The newest block the mirror holds that is still on the chain: where a reorg forked."""
    with engine.connect() as conn:
        stored = conn.execute(
            select(t.blocks.c.number, t.blocks.c.hash)
            .where(t.blocks.c.number <= state.last_block)
            .order_by(t.blocks.c.number.desc())
        ).all()
    for i in range(0, len(stored), 64):
        chunk = stored[i : i + 64]
        chain = extractor.blocks([number for number, _ in chunk])
        for number, stored_hash in chunk:
            block = chain[number]
            if block is not None and block.hash == stored_hash:
                return number, stored_hash
            if number <= state.finalized_block:
                raise ReorgTooDeep(
                    f"the chain replaced block {number}, which the mirror took as final "
                    f"(finalized up to {state.finalized_block}): rebuild the mirror from a new database"
                )
    first = extractor.blocks([state.start_block])[state.start_block]
    if first is None:
        raise IndexerError(f"block {state.start_block}, the mirror's first block, is not on the chain")
    return state.start_block - 1, first.parent_hash


def rollback(conn: Connection, ancestor: int, ancestor_hash: str) -> int:
    """Removes everything above block `ancestor` and undoes its aggregates; returns entries removed."""
    e = t.entries.c
    first = conn.execute(select(func.min(e.seq)).where(e.block_number > ancestor)).scalar()
    removed = 0
    if first is not None:
        rows = conn.execute(select(e.kind, e.player, e.campaign_id, e.amount).where(e.seq >= first)).all()
        removed = len(rows)
        undone: Figures[str] = Figures()
        for row in rows:
            undone.undo(row.kind, row.amount, row.player, row.campaign_id)
        add_to_players(conn, undone.players)
        add_to_campaigns(conn, undone.campaigns)
        add_to_totals(conn, undone.totals)
        for table in (t.payouts, t.reversals, t.expiries, t.entries):
            conn.execute(table.delete().where(table.c.seq >= first))
        _recount_players(conn, {row.player for row in rows})
        head = conn.execute(select(e.head).where(e.seq == first - 1)).scalar() or "0x" + ZERO32.hex()
        conn.execute(update(t.totals).where(t.totals.c.id == 1).values(entry_count=first - 1, head=head))
    conn.execute(t.events.delete().where(t.events.c.block_number > ancestor))
    conn.execute(t.campaigns.delete().where(t.campaigns.c.created_block > ancestor))
    conn.execute(
        update(t.campaigns)
        .where(t.campaigns.c.closed_block > ancestor)
        .values(closed=False, closed_block=None)
    )
    conn.execute(t.blocks.delete().where(t.blocks.c.number > ancestor))
    conn.execute(update(t.cursor).values(last_block=ancestor, last_block_hash=ancestor_hash))
    return removed


def _recount_players(conn: Connection, players: set[str]) -> None:
    """Entry counts, first and last entries of `players` from what remains; drops emptied players."""
    e = t.entries.c
    for player in players:
        row = conn.execute(
            select(func.count(), func.min(e.seq), func.max(e.seq), func.max(e.block_number)).where(
                e.player == player
            )
        ).one()
        if row[0] == 0:
            conn.execute(t.players.delete().where(t.players.c.player == player))
            continue
        conn.execute(
            update(t.players)
            .where(t.players.c.player == player)
            .values(entries=row[0], first_seq=row[1], last_seq=row[2], last_block=row[3])
        )
