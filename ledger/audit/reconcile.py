"""Proof that the SQL mirror equals the chain, column by column, at one block.

The chain's logs are read over block ranges with the blocks that hold them, turned into the rows
the mirror must hold (`expected`), and compared with the mirror's tables streamed in the same
order (`rows`): every column of `entries`, `events`, `payouts`, `reversals`, `expiries` and
`blocks`. The mirror's entries are folded into the hash chain and compared with the contract's
`chainState()`; players, campaigns and totals with the contract's views and with the figures
of the chain's entries (`compare`).
"""

from __future__ import annotations

from sqlalchemy import Connection, Engine

from ledger.audit import store
from ledger.audit.chainread import ChainRange, read_ranges
from ledger.audit.chainviews import ChainViews, node_url
from ledger.audit.compare import Campaigns, compare_aggregates
from ledger.audit.expected import ChainFold, Expected, chain_block, expected_rows
from ledger.audit.report import Difference, ReconcileReport
from ledger.audit.rows import RowAudit
from ledger.chain.client import LedgerClient
from ledger.chain.rpc import Retry, Rpc
from ledger.errors import IndexerError, InputError, NodeError


def reconcile(
    client: LedgerClient, engine: Engine, block: int | None = None, rpc: Rpc | None = None
) -> ReconcileReport:
    """Compares the mirror with the chain at `block` (default: the newest block the mirror holds),
    reading the chain through `rpc` (default: a connection of its own to `client`'s node)."""
    node = rpc or Rpc(node_url(client), timeout=60.0, retry=Retry(give_up_after=60.0))
    try:
        with store.snapshot(engine) as conn:
            state = store.read_state(conn)
            at = _block_to_check(client, state, block)
            assert state is not None
            return _reconcile(client, ChainViews(node, client.address, at), conn, state)
    finally:
        if rpc is None:
            node.close()


def _block_to_check(client: LedgerClient, state: store.MirrorState | None, block: int | None) -> int:
    if state is None:
        raise IndexerError("the mirror is empty: run `ledger index` first")
    if state.contract != client.address.lower() or state.chain_id != client.chain_id:
        raise InputError(f"the mirror holds the ledger {state.contract} on chain {state.chain_id}")
    at = state.last_block if block is None else block
    if not state.start_block <= at <= state.last_block:
        raise InputError(
            f"the mirror holds blocks {state.start_block} to {state.last_block}; reconcile within them"
        )
    return at


def _reconcile(
    client: LedgerClient, views: ChainViews, conn: Connection, state: store.MirrorState
) -> ReconcileReport:
    at, current = views.block, views.block == state.last_block
    chain_head = views.head_number()
    if at > chain_head:
        # A chain that restarted or was rolled back: asking its views at `at` would fail obscurely.
        raise NodeError(
            f"the chain's head is block {chain_head}, behind the mirror's block {at}: the chain was reset "
            "or rolled back; rebuild the mirror (delete it and run `ledger index`)"
        )
    count, head = views.chain_state()
    report = ReconcileReport(
        ok=True, block=at, chain_entries=count, mirror_entries=0, chain_head="0x" + head.hex(), mirror_head="",
    )  # fmt: skip
    audit = RowAudit(report, views, conn, None if current else at)
    chain, campaigns, last_seq = ChainFold(), Campaigns(), 0

    def build(chain_range: ChainRange) -> Expected:
        return expected_rows(chain_range.events, chain_range.blocks, chain, client.chain_id, views.address)

    for item in read_ranges(views, state.start_block, at, build):
        expected = item.built
        last_seq = expected.entries[-1][0] if expected.entries else last_seq
        campaigns.gather(expected)
        audit.check(item.range, expected, last_seq)
    audit.finish()  # the reading thread has ended: `chain` is complete
    report.mirror_entries, report.mirror_head = audit.fold.count, audit.fold.head_hex
    _check_chain_fold(report, chain, (count, head))
    if (count, head) != (audit.fold.count, audit.fold.head):
        report.ok = False
    if current:
        _check_cursor(report, views, conn, state)
    compare_aggregates(report, conn, views, chain, campaigns, current)
    return report


def _check_chain_fold(report: ReconcileReport, chain: ChainFold, state: tuple[int, bytes]) -> None:
    """The chain's own logs must fold to its `chainState()`; else the mirror started after the
    ledger's first entries, or the node's log index is incomplete (and nothing it says can be
    trusted)."""
    if chain.first_seq > 1:
        report.add(
            "entry",
            f"entries seq 1 to {chain.first_seq - 1}",
            "present",
            "missing (before the mirror's first block)",
        )
    elif (chain.count, chain.head) != state:
        raise NodeError(
            f"the node's logs fold to {chain.count} entries, head 0x{chain.head.hex()}, but its chainState() "
            f"at block {report.block} says {state[0]}, 0x{state[1].hex()}: its log index is incomplete; "
            "use another node"
        )


def _check_cursor(
    report: ReconcileReport, views: ChainViews, conn: Connection, state: store.MirrorState
) -> None:
    """The cursor's block is on the chain with the hash the cursor recorded, and the mirror holds it."""
    raw = views.blocks([state.last_block])[state.last_block]
    chain_hash = chain_block(raw).hash if raw else None
    if chain_hash != state.last_block_hash:
        report.add("cursor last_block_hash", "indexer_cursor", chain_hash, state.last_block_hash)
    if not store.has_block(conn, state.last_block):
        report.add("block", f"blocks {state.last_block}", "present", "missing")


__all__ = ["Difference", "ReconcileReport", "reconcile"]
