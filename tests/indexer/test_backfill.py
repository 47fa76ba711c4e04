"""Backfill: every event kind of a real ledger lands in the mirror, exactly."""

from __future__ import annotations

import logging

from sqlalchemy import Engine, func, select

from ledger.audit.reconcile import reconcile
from ledger.db import tables as t
from ledger.db.bulk import restore_indexes
from ledger.indexer.service import Options, Stats
from tests.conftest import LedgerHarness
from tests.indexer.conftest import FAST, every_kind, index, rows


def test_backfill_mirrors_every_event_kind_and_reconciles(ledger: LedgerHarness, engine: Engine) -> None:
    made = every_kind(ledger)
    stats = index(ledger, engine)
    count, head = ledger.client.chain_state()
    assert stats.entries == count == 10
    with engine.connect() as conn:
        names = dict(conn.execute(select(t.events.c.name, func.count()).group_by(t.events.c.name)).all())
        kinds = dict(conn.execute(select(t.entries.c.kind, func.count()).group_by(t.entries.c.kind)).all())
        totals = conn.execute(select(t.totals)).one()
        alice = conn.execute(select(t.players).where(t.players.c.player == "0x" + made["alice"].hex())).one()
        spring = conn.execute(
            select(t.campaigns).where(t.campaigns.c.campaign_id == "0x" + made["spring"].hex())
        ).one()
    assert names["CampaignCreated"] == 2 and names["RewardIssued"] == 2 and names["BatchIssued"] == 1
    assert names["PayoutRecorded"] == names["RewardReversed"] == names["BalanceExpired"] == 1
    assert names["Paused"] == names["Unpaused"] == names["CampaignClosed"] == 1
    assert names["RoleGranted"] >= 4
    assert kinds == {"issued": 7, "paid": 1, "reversed": 1, "expired": 1}
    assert (totals.entry_count, totals.head) == (count, "0x" + head.hex())
    chain_totals = ledger.client.totals()
    assert (totals.issued, totals.paid, totals.reversed, totals.expired) == (
        chain_totals.issued, chain_totals.paid, chain_totals.reversed, chain_totals.expired,
    )  # fmt: skip
    chain_alice = ledger.client.player(made["alice"])
    assert (alice.balance, alice.earned, alice.paid, alice.reversed) == (
        chain_alice.balance, chain_alice.earned, 1_500, 700,
    )  # fmt: skip
    assert spring.closed and spring.issued == 2**90 == ledger.client.campaign(made["spring"]).issued
    report = reconcile(ledger.client, engine)
    assert report.ok, report.lines()
    assert report.players_checked >= 3 and report.campaigns_checked == 2


def test_a_second_catch_up_writes_nothing_new(ledger: LedgerHarness, engine: Engine) -> None:
    every_kind(ledger)
    index(ledger, engine)
    again = index(ledger, engine)
    assert again.entries == 0 and again.events == 0
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(t.entries)).scalar() == 10


class _Lines(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(record.getMessage())


def _index_logging(ledger: LedgerHarness, engine: Engine, bulk_entries: int) -> tuple[Stats, list[str]]:
    lines, logger = _Lines(), logging.getLogger("ledger.indexer")
    logger.addHandler(lines)
    saved = logger.level
    logger.setLevel(logging.INFO)
    try:
        stats = index(ledger, engine, Options(**{**FAST.__dict__, "bulk_entries": bulk_entries}))
    finally:
        logger.removeHandler(lines)
        logger.setLevel(saved)
    return stats, lines.lines


def test_one_block_of_many_entries_is_bulk_loaded_as_entries_not_blocks_behind_decide(
    ledger: LedgerHarness, engine: Engine
) -> None:
    ledger.issue_batch(ledger.campaign(), rows(40))  # a handful of blocks, 40 entries
    stats, lines = _index_logging(ledger, engine, bulk_entries=40)
    assert stats.entries == 40
    assert any("after the bulk load" in line for line in lines), lines
    assert restore_indexes(engine) == 0  # the load built every index back
    assert reconcile(ledger.client, engine).ok


def test_a_mirror_fewer_entries_behind_than_the_threshold_is_written_range_by_range(
    ledger: LedgerHarness, engine: Engine
) -> None:
    ledger.issue_batch(ledger.campaign(), rows(40))
    stats, lines = _index_logging(ledger, engine, bulk_entries=41)
    assert stats.entries == 40
    assert not any("bulk load" in line for line in lines), lines
    assert reconcile(ledger.client, engine).ok
