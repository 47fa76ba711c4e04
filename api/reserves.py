"""The reserves route's work: the contract's `cashoutState` at the mirror's head, beside the mirror's
summed player balances at the same head."""

from __future__ import annotations

from sqlalchemy import select

from api.deps import ApiContext
from api.models import ReservesPublic
from api.reconcile import NODE_FAULTS
from api.store.common import amount_fields, read_head
from ledger.cashout.ops import cashout_state
from ledger.chain.client import LedgerClient, connect
from ledger.db import tables as t
from ledger.errors import NodeError

COVERAGE_PLACES = 6


def coverage(reserves: int, liability: int) -> str | None:
    """reserves / liability rounded down to `COVERAGE_PLACES` decimals; None when nothing is owed."""
    if liability == 0:
        return None
    whole, frac = divmod(reserves * 10**COVERAGE_PLACES // liability, 10**COVERAGE_PLACES)
    return f"{whole}.{frac:0{COVERAGE_PLACES}d}"


def reserves_at_head(context: ApiContext) -> ReservesPublic:
    """Reads the node at the mirror's head; blocking, so callers run it off the loop."""
    with context.mirror.engine.connect() as conn:
        head = read_head(conn)
        balances = conn.execute(select(t.players.c.balance)).scalars().all()
    outstanding = sum(int(b) for b in balances)
    try:
        client = LedgerClient(connect(context.node_url(), timeout=30.0), head.contract)
        state = cashout_state(client, block=head.block)
    except NODE_FAULTS as exc:
        raise NodeError(f"the API's node failed reading the reserves ({type(exc).__name__})") from exc
    amounts = {"reserves": state.reserves, "liability": state.liability, "mirror_outstanding": outstanding}
    return ReservesPublic(
        token=state.token if state.settles else None, funded=state.funded,
        coverage=coverage(state.reserves, state.liability), mirror_matches=outstanding == state.liability,
        block=head.block, **amount_fields(amounts, context.display),
    )  # fmt: skip
