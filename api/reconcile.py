"""The reconciliation route's work: the indexer's `reconcile` at the mirror's head, as a public model."""

from __future__ import annotations

import requests
from web3.exceptions import Web3Exception

from api.deps import ApiContext
from api.models import DifferencePublic, ReconcilePublic
from api.node import MALFORMED
from api.store.common import read_head
from ledger.audit.reconcile import ReconcileReport, reconcile
from ledger.chain.client import LedgerClient, connect
from ledger.errors import NodeError

# What a node that fails midway, or answers nonsense, makes web3 and the views raise.
NODE_FAULTS = (Web3Exception, requests.RequestException, *MALFORMED)


def reconcile_at_head(context: ApiContext) -> ReconcilePublic:
    """Runs a full reconciliation against the API's node; blocking, so callers run it off the loop."""
    with context.mirror.engine.connect() as conn:
        head = read_head(conn)
    try:
        client = LedgerClient(connect(context.node_url(), timeout=30.0), head.contract)
        report = reconcile(client, context.mirror.engine)
    except NODE_FAULTS as exc:
        raise NodeError(f"the API's node failed during the reconciliation ({type(exc).__name__})") from exc
    return _public(report)


def _public(report: ReconcileReport) -> ReconcilePublic:
    return ReconcilePublic(
        ok=report.ok, block=report.block, chain_entries=report.chain_entries,
        mirror_entries=report.mirror_entries, chain_head=report.chain_head, mirror_head=report.mirror_head,
        first_divergent_seq=report.first_divergent_seq, first_divergent_row=report.first_divergent_row,
        differences=[DifferencePublic(what=d.what, key=d.key, chain=d.chain, mirror=d.mirror) for d in report.differences],
        omitted=report.omitted, players_checked=report.players_checked,
        campaigns_checked=report.campaigns_checked, rows_checked=report.rows_checked, report=report.lines(),
    )  # fmt: skip
