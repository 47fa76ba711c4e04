"""Single issues: the entry, its event and head, and every refusal."""

from __future__ import annotations

from eth_utils.crypto import keccak

from ledger.encoding import text_to_bytes
from ledger.hashchain import ZERO32, Entry, EntryKind, fold
from ledger.ops.entries import create_campaign, issue_one, set_paused
from tests.conftest import LedgerHarness, random_player
from tests.contract.conftest import events_of, expect_revert


def test_an_issue_credits_the_player_and_folds_the_entry_into_the_head(ledger: LedgerHarness) -> None:
    cid, player = ledger.campaign(), random_player()
    ref = text_to_bytes("order-1")
    result = issue_one(ledger.client, ledger.sender, cid, player, 250, ref)
    expected_head = fold(ZERO32, Entry(1, EntryKind.ISSUED, cid, player, 250, ref))
    assert (result.seq, result.head) == (1, expected_head)
    assert ledger.client.chain_state() == (1, expected_head)
    assert ledger.client.player(player).balance == 250 and ledger.client.player(player).earned == 250
    assert ledger.client.campaign(cid).issued == 250
    assert ledger.client.totals().issued == 250
    assert ledger.client.reference_of(ref) != ZERO32


def test_the_issue_event_carries_seq_campaign_player_amount_reference_and_head(ledger: LedgerHarness) -> None:
    cid, player, ref = ledger.campaign(), random_player(), text_to_bytes("evt")
    data = ledger.client.encode("issue", cid, player, 9, ref)
    receipt = ledger.sender.transact(ledger.client.address, data)
    (event,) = events_of(ledger, receipt.logs, "RewardIssued")
    assert event == {
        "seq": 1, "campaignId": cid, "player": player, "amount": 9, "ref": ref,
        "head": fold(ZERO32, Entry(1, EntryKind.ISSUED, cid, player, 9, ref)),
    }  # fmt: skip
    # player and campaign are indexed topics, so anyone can filter a player's entries on chain
    raw = receipt.logs[0]
    assert raw["topics"][1] == "0x" + cid.hex() and raw["topics"][2] == "0x" + player.hex()


def test_a_reference_pays_only_once(ledger: LedgerHarness) -> None:
    cid, player = ledger.campaign(), random_player()
    ledger.issue(cid, player, 10, ref="dup")
    ref = text_to_bytes("dup")
    expect_revert(lambda: ledger.issue(cid, player, 10, ref="dup"), "LedgerReferenceUsed", ref=ref)
    assert ledger.client.player(player).balance == 10


def test_zero_player_amount_or_reference_is_refused(ledger: LedgerHarness) -> None:
    cid = ledger.campaign()
    expect_revert(lambda: ledger.issue(cid, ZERO32, 1), "PlayerKeyZero")
    expect_revert(lambda: ledger.issue(cid, random_player(), 0), "LedgerZeroAmount")
    expect_revert(
        lambda: issue_one(ledger.client, ledger.sender, cid, random_player(), 1, ZERO32),
        "LedgerReferenceZero",
    )


def test_an_amount_above_the_row_maximum_is_refused(ledger: LedgerHarness) -> None:
    cid = ledger.campaign()
    expect_revert(
        lambda: ledger.issue(cid, random_player(), 2**96), "LedgerAmountTooLarge", amount=2**96, max=2**96 - 1
    )


def test_issuance_into_an_unknown_campaign_is_refused(ledger: LedgerHarness) -> None:
    unknown = text_to_bytes("ghost")
    expect_revert(lambda: ledger.issue(unknown, random_player(), 1), "CampaignUnknown", campaignId=unknown)


def test_issuance_over_budget_is_refused_with_the_budget_figures(ledger: LedgerHarness) -> None:
    cid = ledger.campaign("small", budget=100)
    ledger.issue(cid, random_player(), 60)
    expect_revert(
        lambda: ledger.issue(cid, random_player(), 41), "CampaignBudgetExceeded",
        campaignId=cid, budget=100, issued=60, amount=41,
    )  # fmt: skip
    ledger.issue(cid, random_player(), 40)
    assert ledger.client.campaign(cid).issued == 100


def test_issuance_before_the_window_opens_is_refused(ledger: LedgerHarness) -> None:
    cid, now = text_to_bytes("later"), ledger.now()
    create_campaign(ledger.client, ledger.sender, cid, 100, keccak(b"t"), now + 10_000, now + 20_000)
    expect_revert(
        lambda: ledger.issue(cid, random_player(), 1),
        "CampaignNotStarted",
        campaignId=cid,
        start=now + 10_000,
    )


def test_issuance_after_the_window_ends_is_refused(ledger: LedgerHarness, chain_snapshot: None) -> None:
    cid, now = text_to_bytes("brief"), ledger.now()
    create_campaign(ledger.client, ledger.sender, cid, 100, keccak(b"t"), now - 10, now + 30)
    ledger.issue(cid, random_player(), 1)
    ledger.w3.provider.make_request("evm_increaseTime", [60])  # type: ignore[arg-type]
    ledger.w3.provider.make_request("evm_mine", [])  # type: ignore[arg-type]
    expect_revert(
        lambda: ledger.issue(cid, random_player(), 1), "CampaignEnded", campaignId=cid, end=now + 30
    )


def test_pausing_stops_issuance_and_unpausing_resumes_it(ledger: LedgerHarness) -> None:
    cid = ledger.campaign()
    set_paused(ledger.client, ledger.sender, True)
    assert ledger.client.paused()
    expect_revert(lambda: ledger.issue(cid, random_player(), 1), "EnforcedPause")
    expect_revert(lambda: set_paused(ledger.client, ledger.sender, True), "EnforcedPause")
    set_paused(ledger.client, ledger.sender, False)
    expect_revert(lambda: set_paused(ledger.client, ledger.sender, False), "ExpectedPause")
    assert ledger.issue(cid, random_player(), 1).seq == 1
