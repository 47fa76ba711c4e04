"""Campaigns: creation, closing, and every refusal with its arguments."""

from __future__ import annotations

from eth_utils.crypto import keccak

from ledger.encoding import text_to_bytes
from ledger.ops.entries import close_campaign, create_campaign
from tests.conftest import LedgerHarness
from tests.contract.conftest import events_of, expect_revert


def test_creating_a_campaign_stores_it_and_emits_its_terms(ledger: LedgerHarness) -> None:
    cid, now = text_to_bytes("spring"), ledger.now()
    receipt = create_campaign(ledger.client, ledger.sender, cid, 5_000, keccak(b"terms"), now, now + 3600)
    (event,) = events_of(ledger, receipt.logs, "CampaignCreated")
    assert event == {
        "campaignId": cid,
        "budget": 5_000,
        "termsHash": keccak(b"terms"),
        "start": now,
        "end": now + 3600,
    }
    campaign = ledger.client.campaign(cid)
    assert (campaign.budget, campaign.issued, campaign.start, campaign.end) == (5_000, 0, now, now + 3600)
    assert campaign.terms_hash == keccak(b"terms") and not campaign.closed


def test_a_campaign_id_can_be_created_only_once(ledger: LedgerHarness) -> None:
    cid = ledger.campaign("once")
    now = ledger.now()
    expect_revert(
        lambda: create_campaign(ledger.client, ledger.sender, cid, 1, b"\x00" * 32, now, now + 10),
        "CampaignExists",
        campaignId=cid,
    )


def test_a_window_that_ends_before_it_starts_is_refused(ledger: LedgerHarness) -> None:
    cid = text_to_bytes("backwards")
    expect_revert(
        lambda: create_campaign(ledger.client, ledger.sender, cid, 1, b"\x00" * 32, 100, 100),
        "CampaignInvalid",
        campaignId=cid,
        start=100,
        end=100,
    )


def test_a_zero_campaign_id_is_refused(ledger: LedgerHarness) -> None:
    expect_revert(
        lambda: create_campaign(ledger.client, ledger.sender, b"\x00" * 32, 1, b"\x00" * 32, 1, 2),
        "CampaignInvalid",
    )


def test_a_zero_or_oversized_budget_is_refused(ledger: LedgerHarness) -> None:
    now = ledger.now()
    expect_revert(
        lambda: create_campaign(
            ledger.client, ledger.sender, text_to_bytes("z"), 0, b"\x00" * 32, now, now + 9
        ),
        "LedgerZeroAmount",
    )
    expect_revert(
        lambda: create_campaign(
            ledger.client, ledger.sender, text_to_bytes("big"), 2**128, b"\x00" * 32, now, now + 9
        ),
        "LedgerAmountTooLarge",
        amount=2**128,
        max=2**128 - 1,
    )


def test_closing_a_campaign_emits_what_it_issued_and_stops_issuance(ledger: LedgerHarness) -> None:
    cid = ledger.campaign("closing")
    ledger.issue(cid, b"\x01" * 32, 70)
    receipt = close_campaign(ledger.client, ledger.sender, cid)
    assert events_of(ledger, receipt.logs, "CampaignClosed") == [{"campaignId": cid, "issued": 70}]
    assert ledger.client.campaign(cid).closed
    expect_revert(lambda: ledger.issue(cid, b"\x01" * 32, 1), "CampaignAlreadyClosed", campaignId=cid)


def test_closing_an_unknown_or_closed_campaign_is_refused(ledger: LedgerHarness) -> None:
    unknown = text_to_bytes("nobody")
    expect_revert(
        lambda: close_campaign(ledger.client, ledger.sender, unknown), "CampaignUnknown", campaignId=unknown
    )
    cid = ledger.campaign("twice")
    close_campaign(ledger.client, ledger.sender, cid)
    expect_revert(
        lambda: close_campaign(ledger.client, ledger.sender, cid), "CampaignAlreadyClosed", campaignId=cid
    )
