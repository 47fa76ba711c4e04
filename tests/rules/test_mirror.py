"""A ledger with rules versions, a committed period and its batches mirrors like any other: the
indexer keeps the period's entries and every new event, and the reconciliation passes."""

from __future__ import annotations

import json

from sqlalchemy import Engine, select

from ledger.audit.reconcile import reconcile
from ledger.db import tables as t
from tests.conftest import LedgerHarness
from tests.indexer.conftest import index
from tests.rules.world import make_period


def test_a_committed_and_paid_period_mirrors_and_reconciles(ledger: LedgerHarness, engine: Engine) -> None:
    period = make_period(ledger)
    period.commit()
    period.pay(period.honest_rows())
    index(ledger, engine)
    report = reconcile(ledger.client, engine)
    assert report.ok, report.lines()
    with engine.connect() as conn:
        names = [row.name for row in conn.execute(select(t.events.c.name, t.events.c.data))]
        amounts = conn.execute(select(t.entries.c.amount).order_by(t.entries.c.seq)).scalars().all()
        committed = conn.execute(
            select(t.events.c.data).where(t.events.c.name == "PeriodCommitted")
        ).scalar_one()
    assert names.count("CampaignRulesSet") == 1 and names.count("PeriodBatchIssued") == 2
    assert [int(a) for a in amounts] == [row.amount for row in period.honest_rows()]
    assert json.loads(committed)["root"] == "0x" + period.result.root.hex()
    assert json.loads(committed)["total"] == str(period.result.total)
