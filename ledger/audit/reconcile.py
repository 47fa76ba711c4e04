"""Proof of completeness: the mirror's entries, folded, against the chain's head and views.

At a block, the mirrored entries are folded into the hash chain and compared with the contract's
`chainState()`; equal means every entry is present and unaltered. Balances, lifetime totals,
campaigns and global totals are then compared with the contract's views at that block, both as
derived from the entries and as stored in the tables the API serves.
"""

from __future__ import annotations

from sqlalchemy import Engine, select

from ledger.audit.chainviews import ChainViews
from ledger.audit.compare import compare_aggregates, locate_divergence
from ledger.audit.mirror import fold_mirror
from ledger.audit.report import Difference, ReconcileReport
from ledger.chain.client import LedgerClient
from ledger.db import tables as t
from ledger.errors import IndexerError, InputError, NodeError
from ledger.indexer.cursor import read_state


def reconcile(client: LedgerClient, engine: Engine, block: int | None = None) -> ReconcileReport:
    """Compares the mirror with the chain at `block` (default: the newest block the mirror holds)."""
    with engine.connect() as conn:
        state = read_state(conn)
        if state is None:
            raise IndexerError("the mirror is empty: run `ledger index` first")
        if state.contract != client.address.lower() or state.chain_id != client.chain_id:
            raise InputError(f"the mirror holds the ledger {state.contract} on chain {state.chain_id}")
        at = state.last_block if block is None else block
        if not state.start_block <= at <= state.last_block:
            raise InputError(
                f"the mirror holds blocks {state.start_block} to {state.last_block}; reconcile within them"
            )
        stored_hash = conn.execute(select(t.blocks.c.hash).where(t.blocks.c.number == at)).scalar()
        folded = fold_mirror(conn, at)
    chain_head = int(client.w3.eth.block_number)
    if at > chain_head:
        # A chain that restarted or was rolled back: asking its views at `at` would fail obscurely.
        raise NodeError(
            f"the chain's head is block {chain_head}, behind the mirror's block {at}: the chain was reset "
            "or rolled back; rebuild the mirror (delete it and run `ledger index`)"
        )
    count, head = client.chain_state(block=at)
    report = ReconcileReport(
        ok=True, block=at, chain_entries=count, mirror_entries=folded.count,
        chain_head="0x" + head.hex(), mirror_head="0x" + folded.head.hex(),
    )  # fmt: skip
    views = ChainViews(client, at)
    try:
        _check_block(report, views, at, stored_hash)
        if (count, head) != (folded.count, folded.head):
            report.ok = False
            locate_divergence(report, client, views, folded, engine)
        compare_aggregates(report, engine, views, folded, current=at == state.last_block)
    finally:
        views.close()
    return report


def _check_block(report: ReconcileReport, views: ChainViews, at: int, stored_hash: str | None) -> None:
    if stored_hash is None:
        return
    chain_hash = views.block_hash(at)
    if chain_hash != stored_hash:
        report.add("block hash", f"block {at}", chain_hash, stored_hash)


__all__ = ["Difference", "ReconcileReport", "reconcile"]
