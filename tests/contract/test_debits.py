"""Payouts, expiries and reversals: never more than the balance, never twice."""

from __future__ import annotations

import secrets

from ledger.encoding import pack_rows, text_to_bytes
from ledger.hashchain import Entry, EntryKind, fold
from ledger.ops.entries import expire_balance, record_payout, reverse_reward
from ledger.ops.lookup import RewardProof
from tests.conftest import LedgerHarness, random_player
from tests.contract.conftest import batch_proof, events_of, expect_revert, rows, single_proof

ZERO = b"\x00" * 32


def funded(ledger: LedgerHarness, amount: int = 1_000) -> tuple[bytes, bytes, bytes]:
    cid, player = ledger.campaign(), random_player()
    ref = text_to_bytes("fund-" + secrets.token_hex(4))
    ledger.issue(cid, player, amount, ref=ref.rstrip(b"\x00").decode())
    return cid, player, ref


def test_a_payout_debits_the_balance_and_is_an_entry(ledger: LedgerHarness) -> None:
    _, player, _ = funded(ledger)
    head_before = ledger.client.chain_state()[1]
    ref = text_to_bytes("pay-1")
    result = record_payout(ledger.client, ledger.sender, player, 400, ref)
    assert result.seq == 2
    assert result.head == fold(head_before, Entry(2, EntryKind.PAID, ZERO, player, 400, ref))
    assert ledger.client.player(player).balance == 600 and ledger.client.player(player).earned == 1_000
    assert ledger.client.totals().paid == 400


def test_a_payout_can_never_exceed_the_balance(ledger: LedgerHarness) -> None:
    _, player, _ = funded(ledger, 100)
    expect_revert(
        lambda: record_payout(ledger.client, ledger.sender, player, 101, text_to_bytes("p")),
        "PlayerInsufficientBalance", player=player, balance=100, amount=101,
    )  # fmt: skip


def test_a_payment_reference_pays_once(ledger: LedgerHarness) -> None:
    _, player, _ = funded(ledger)
    ref = text_to_bytes("wire-7")
    record_payout(ledger.client, ledger.sender, player, 10, ref)
    expect_revert(
        lambda: record_payout(ledger.client, ledger.sender, player, 10, ref), "LedgerReferenceUsed", ref=ref
    )
    assert ledger.client.player(player).balance == 990


def test_a_payout_needs_a_player_an_amount_and_a_reference(ledger: LedgerHarness) -> None:
    _, player, _ = funded(ledger)
    expect_revert(
        lambda: record_payout(ledger.client, ledger.sender, ZERO, 1, text_to_bytes("a")), "PlayerKeyZero"
    )
    expect_revert(
        lambda: record_payout(ledger.client, ledger.sender, player, 0, text_to_bytes("b")), "LedgerZeroAmount"
    )
    expect_revert(lambda: record_payout(ledger.client, ledger.sender, player, 1, ZERO), "LedgerReferenceZero")


def test_an_expiry_debits_with_its_reason_and_reference(ledger: LedgerHarness) -> None:
    _, player, _ = funded(ledger)
    ref, reason = text_to_bytes("exp-1"), text_to_bytes("inactive 12 months")
    result = expire_balance(ledger.client, ledger.sender, player, 300, ref, reason)
    data = ledger.client.encode("expire", player, 1, text_to_bytes("exp-2"), reason)
    receipt = ledger.sender.transact(ledger.client.address, data)
    (event,) = events_of(ledger, receipt.logs, "BalanceExpired")
    assert event["reason"] == reason and event["seq"] == result.seq + 1
    assert ledger.client.player(player).balance == 699 and ledger.client.totals().expired == 301
    expect_revert(
        lambda: expire_balance(ledger.client, ledger.sender, player, 700, text_to_bytes("exp-3"), reason),
        "PlayerInsufficientBalance", player=player, balance=699, amount=700,
    )  # fmt: skip
    expect_revert(
        lambda: expire_balance(ledger.client, ledger.sender, player, 1, ref, reason), "LedgerReferenceUsed"
    )


def test_a_reversal_takes_back_part_of_a_single_reward_once(ledger: LedgerHarness) -> None:
    cid, player, ref = funded(ledger, 500)
    proof = single_proof(ref, cid, 1, player, 500)
    reason = text_to_bytes("fraud")
    result = reverse_reward(ledger.client, ledger.sender, proof, 200, reason)
    assert ledger.client.player(player).balance == 300 and ledger.client.totals().reversed == 200
    assert ledger.client.reversal_of(1) == result.seq
    expect_revert(
        lambda: reverse_reward(ledger.client, ledger.sender, proof, 1, reason),
        "RewardAlreadyReversed", rewardSeq=1, reversalSeq=result.seq,
    )  # fmt: skip


def test_a_reversal_cannot_take_back_more_than_the_reward(ledger: LedgerHarness) -> None:
    cid, player, ref = funded(ledger, 500)
    ledger.issue(cid, player, 1_000)
    proof = single_proof(ref, cid, 1, player, 500)
    expect_revert(
        lambda: reverse_reward(ledger.client, ledger.sender, proof, 501, text_to_bytes("x")),
        "RewardReversalExceedsReward", rewardSeq=1, amount=501, rewarded=500,
    )  # fmt: skip


def test_a_reversal_cannot_drive_a_balance_below_zero(ledger: LedgerHarness) -> None:
    cid, player, ref = funded(ledger, 500)
    record_payout(ledger.client, ledger.sender, player, 450, text_to_bytes("spent"))
    proof = single_proof(ref, cid, 1, player, 500)
    expect_revert(
        lambda: reverse_reward(ledger.client, ledger.sender, proof, 100, text_to_bytes("late")),
        "PlayerInsufficientBalance", player=player, balance=50, amount=100,
    )  # fmt: skip


def test_a_reversal_of_a_batch_row_is_proven_against_the_batch_commitment(ledger: LedgerHarness) -> None:
    cid, batch_id, batch = ledger.campaign(), secrets.token_bytes(32), rows(6)
    ledger.issue_batch(cid, batch, batch_id)
    proof = batch_proof(batch_id, cid, 1, batch, 4)
    result = reverse_reward(
        ledger.client, ledger.sender, proof, batch[4].amount, text_to_bytes("duplicate account")
    )
    assert ledger.client.player(batch[4].player).balance == 0
    assert ledger.client.reversal_of(5) == result.seq
    assert ledger.client.player(batch[3].player).balance == batch[3].amount


def test_a_proof_that_does_not_match_the_commitment_is_refused(ledger: LedgerHarness) -> None:
    cid, batch_id, batch = ledger.campaign(), secrets.token_bytes(32), rows(4)
    ledger.issue_batch(cid, batch, batch_id)
    reason = text_to_bytes("r")
    forged = [*batch[:2], batch[2].__class__(batch[2].player, batch[2].amount * 10, batch[2].ref), batch[3]]
    wrong = [
        batch_proof(batch_id, cid, 1, forged, 2),  # inflated amount
        batch_proof(batch_id, cid, 2, batch, 2),  # wrong first sequence number
        batch_proof(batch_id, text_to_bytes("other"), 1, batch, 2),  # wrong campaign
        batch_proof(secrets.token_bytes(32), cid, 1, batch, 2),  # unknown id
        RewardProof(batch_id, cid, 1, pack_rows(batch), 4, b"", 0),  # a row past the end
    ]
    for proof in wrong:
        expect_revert(
            lambda p=proof: reverse_reward(ledger.client, ledger.sender, p, 1, reason), "RewardProofInvalid"
        )
    assert ledger.client.totals().reversed == 0
