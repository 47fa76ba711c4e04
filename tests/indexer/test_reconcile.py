"""`reconcile`: PASS on a clean mirror, FAIL naming the row on a tampered one."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine, delete, select, update

from ledger.audit.reconcile import reconcile
from ledger.db import tables as t
from ledger.errors import InputError, NodeError
from tests.conftest import LedgerHarness
from tests.indexer.conftest import every_kind, index


@pytest.fixture
def mirrored(ledger: LedgerHarness, engine: Engine) -> dict[str, bytes]:
    made = every_kind(ledger)
    index(ledger, engine)
    return made


def test_a_clean_mirror_passes_at_its_newest_block_and_at_an_earlier_one(
    ledger: LedgerHarness, engine: Engine, mirrored: dict[str, bytes]
) -> None:
    report = reconcile(ledger.client, engine)
    assert report.ok and report.first_divergent_seq is None and not report.differences
    assert report.chain_head == report.mirror_head and report.chain_entries == report.mirror_entries == 10
    with engine.connect() as conn:
        block = conn.execute(select(t.entries.c.block_number).where(t.entries.c.seq == 3)).scalar_one()
    earlier = reconcile(ledger.client, engine, block=block)
    assert earlier.ok, earlier.lines()
    assert earlier.chain_entries == earlier.mirror_entries < 10
    assert earlier.lines()[0].startswith(f"PASS at block {block}")


def test_a_tampered_entry_amount_fails_and_names_the_row(
    ledger: LedgerHarness, engine: Engine, mirrored: dict[str, bytes]
) -> None:
    with engine.begin() as conn:
        row = conn.execute(select(t.entries).where(t.entries.c.seq == 4)).one()
        conn.execute(update(t.entries).where(t.entries.c.seq == 4).values(amount=row.amount + 1))
    report = reconcile(ledger.client, engine)
    assert not report.ok and report.first_divergent_seq == 4
    assert report.chain_head != report.mirror_head
    (only,) = report.differences  # the stored balances are the chain's: only the entry is wrong
    assert (only.what, only.chain, only.mirror) == ("entry amount", str(row.amount), str(row.amount + 1))
    assert only.key == f"entries seq 4 (block {row.block_number}, tx {row.tx_hash}, log {row.log_index})"
    assert report.first_divergent_row == only.key
    assert report.lines()[0].startswith("FAIL")


@pytest.mark.slow
def test_a_missing_entry_fails_at_its_sequence_number(
    ledger: LedgerHarness, engine: Engine, mirrored: dict[str, bytes]
) -> None:
    with engine.begin() as conn:
        conn.execute(delete(t.payouts).where(t.payouts.c.seq == 8))
        conn.execute(delete(t.entries).where(t.entries.c.seq == 8))
    report = reconcile(ledger.client, engine)
    assert not report.ok and report.first_divergent_seq == 8
    assert (report.chain_entries, report.mirror_entries) == (10, 9)
    assert any(
        d.what == "entry" and d.key.startswith("entries seq 8") and d.mirror == "missing"
        for d in report.differences
    )


def test_a_tampered_player_balance_fails_and_names_the_player(
    ledger: LedgerHarness, engine: Engine, mirrored: dict[str, bytes]
) -> None:
    alice = "0x" + mirrored["alice"].hex()
    with engine.begin() as conn:
        conn.execute(update(t.players).where(t.players.c.player == alice).values(balance=10**30))
    report = reconcile(ledger.client, engine)
    assert not report.ok and report.first_divergent_seq is None  # the entries themselves are intact
    (difference,) = report.differences
    assert (difference.what, difference.key, difference.mirror) == (
        "player balance",
        f"players {alice}",
        str(10**30),
    )
    assert difference.chain == str(ledger.client.player(mirrored["alice"]).balance)


@pytest.mark.slow
def test_a_tampered_campaign_budget_fails(
    ledger: LedgerHarness, engine: Engine, mirrored: dict[str, bytes]
) -> None:
    welcome = "0x" + mirrored["welcome"].hex()
    with engine.begin() as conn:
        conn.execute(update(t.campaigns).where(t.campaigns.c.campaign_id == welcome).values(budget=1))
    report = reconcile(ledger.client, engine)
    assert [(d.what, d.key, d.mirror) for d in report.differences] == [
        ("campaign budget", f"campaigns {welcome}", "1")
    ]


def test_reconciling_beyond_the_mirror_is_refused(
    ledger: LedgerHarness, engine: Engine, mirrored: dict[str, bytes]
) -> None:
    ledger.campaign("later")
    with pytest.raises(InputError, match=r"the mirror holds blocks \d+ to \d+; reconcile within them"):
        reconcile(ledger.client, engine, block=ledger.w3.eth.block_number)
    with pytest.raises(InputError, match="reconcile within them"):
        reconcile(ledger.client, engine, block=ledger.deploy_block - 1)


@pytest.mark.slow
def test_a_chain_rolled_back_behind_the_mirror_is_reported_clearly(
    ledger: LedgerHarness, engine: Engine, chain_snapshot: None
) -> None:
    snapshot = ledger.w3.provider.make_request("evm_snapshot", [])["result"]  # type: ignore[arg-type]
    every_kind(ledger)
    index(ledger, engine)
    ledger.w3.provider.make_request("evm_revert", [snapshot])  # type: ignore[arg-type]
    with pytest.raises(NodeError, match=r"behind the mirror's block .* rebuild the mirror"):
        reconcile(ledger.client, engine)
