"""Batch issuance: all rows or none, one commitment, a head folded row by row."""

from __future__ import annotations

import secrets

from ledger.encoding import pack_rows, row_ref_word
from ledger.hashchain import Entry, EntryKind, chain_head
from tests.conftest import LedgerHarness
from tests.contract.conftest import events_of, expect_revert, rows


def test_a_batch_credits_every_row_and_reports_its_records(ledger: LedgerHarness) -> None:
    cid = ledger.campaign()
    batch, batch_id = rows(25), secrets.token_bytes(32)
    data = ledger.client.encode("issueBatch", batch_id, cid, pack_rows(batch))
    receipt = ledger.sender.transact(ledger.client.address, data)
    (event,) = events_of(ledger, receipt.logs, "BatchIssued")
    entries = [
        Entry(1 + i, EntryKind.ISSUED, cid, r.player, r.amount, row_ref_word(r.ref), batch_id)
        for i, r in enumerate(batch)
    ]
    total = sum(r.amount for r in batch)
    assert event == {
        "batchId": batch_id, "campaignId": cid, "firstSeq": 1, "total": total,
        "head": chain_head(entries), "records": pack_rows(batch),
    }  # fmt: skip
    assert ledger.client.chain_state() == (25, chain_head(entries))
    assert [ledger.client.player(r.player).balance for r in batch] == [r.amount for r in batch]
    assert ledger.client.campaign(cid).issued == total == ledger.client.totals().issued


def test_a_returning_player_in_a_batch_accumulates_balance_and_lifetime_earned(ledger: LedgerHarness) -> None:
    cid, player = ledger.campaign(), secrets.token_bytes(32)
    ledger.issue_batch(cid, rows(3, amount=10, players=[player] * 3))
    ledger.issue_batch(cid, rows(2, amount=5, players=[player] * 2))
    assert ledger.client.player(player).balance == 10 + 11 + 12 + 5 + 6
    assert ledger.client.player(player).earned == 44


def test_a_batch_id_can_be_used_once(ledger: LedgerHarness) -> None:
    cid, batch_id = ledger.campaign(), secrets.token_bytes(32)
    ledger.issue_batch(cid, rows(2), batch_id)
    expect_revert(lambda: ledger.issue_batch(cid, rows(2), batch_id), "LedgerReferenceUsed", ref=batch_id)
    assert ledger.client.chain_state()[0] == 2


def test_one_invalid_row_refuses_the_whole_batch(ledger: LedgerHarness) -> None:
    cid = ledger.campaign()
    batch = rows(5)
    bad = [*batch[:3], batch[3].__class__(b"\x00" * 32, 5, batch[3].ref), batch[4]]
    expect_revert(lambda: ledger.issue_batch(cid, bad), "BatchRowInvalid", index=3)
    zero_amount = [*batch[:1], batch[1].__class__(batch[1].player, 0, batch[1].ref)]
    expect_revert(lambda: ledger.issue_batch(cid, zero_amount), "BatchRowInvalid", index=1)
    assert ledger.client.chain_state()[0] == 0
    assert all(ledger.client.player(r.player).balance == 0 for r in batch)


def test_records_that_are_empty_or_not_whole_rows_are_refused(ledger: LedgerHarness) -> None:
    cid = ledger.campaign()
    for records in (b"", pack_rows(rows(2))[:-1]):
        data = ledger.client.encode("issueBatch", secrets.token_bytes(32), cid, records)
        expect_revert(
            lambda d=data: ledger.sender.transact(ledger.client.address, d),
            "BatchMalformed",
            length=len(records),
        )


def test_a_batch_over_budget_is_refused_as_a_whole(ledger: LedgerHarness) -> None:
    cid = ledger.campaign("tight", budget=300)
    batch = rows(3, amount=100)  # 100 + 101 + 102
    expect_revert(
        lambda: ledger.issue_batch(cid, batch),
        "CampaignBudgetExceeded",
        campaignId=cid,
        budget=300,
        issued=0,
        amount=303,
    )
    assert ledger.client.campaign(cid).issued == 0
