"""Rules versions and period commitments: versions are added, never changed or back-dated; a
period commits once, under rules in effect; its batches never issue more than its total."""

from __future__ import annotations

import secrets

from eth_account.signers.local import LocalAccount

from ledger.encoding import Row, pack_rows, text_to_bytes
from ledger.rules import onchain
from tests.conftest import LedgerHarness
from tests.contract.conftest import events_of, expect_revert, rows

RULES = secrets.token_bytes(32)
ROOT = secrets.token_bytes(32)


def ruled(ledger: LedgerHarness, rules: bytes = RULES) -> bytes:
    cid = ledger.campaign()
    onchain.set_rules(ledger.client, ledger.sender, cid, rules, 0)
    return cid


def commit(
    ledger: LedgerHarness, cid: bytes, total: int, period: bytes | None = None, rules: bytes = RULES
) -> bytes:
    period = period or secrets.token_bytes(32)
    onchain.commit_period(ledger.client, ledger.sender, period, cid, rules, ROOT, 3, total)
    return period


def period_batch(
    ledger: LedgerHarness, period: bytes, batch: list[Row], batch_id: bytes | None = None
) -> int:
    data = ledger.client.encode(
        "issuePeriodBatch", batch_id or secrets.token_bytes(32), period, pack_rows(batch)
    )
    return ledger.sender.transact(ledger.client.address, data).gas_used


def test_rules_versions_are_numbered_with_their_effective_time(ledger: LedgerHarness) -> None:
    cid, second = ledger.campaign(), secrets.token_bytes(32)
    start = ledger.now() + 100
    receipt = onchain.set_rules(ledger.client, ledger.sender, cid, RULES, start)
    assert events_of(ledger, receipt.logs, "CampaignRulesSet") == [
        {"campaignId": cid, "version": 1, "rulesHash": RULES, "effectiveFrom": start}
    ]
    onchain.set_rules(ledger.client, ledger.sender, cid, second, start + 50)
    assert onchain.rules_version(ledger.client, cid, RULES) == (1, start)
    assert onchain.rules_version(ledger.client, cid, second) == (2, start + 50)
    assert onchain.rules_version(ledger.client, cid, secrets.token_bytes(32)) == (0, 0)


def test_a_rules_version_is_never_set_twice_back_dated_zero_or_for_an_unknown_campaign(
    ledger: LedgerHarness,
) -> None:
    cid, now = ruled(ledger), ledger.now()
    expect_revert(
        lambda: onchain.set_rules(ledger.client, ledger.sender, cid, RULES, now + 10), "RulesExists"
    )
    receipt = onchain.set_rules(ledger.client, ledger.sender, cid, b"\x01" * 32, now - 10)
    (event,) = events_of(ledger, receipt.logs, "CampaignRulesSet")
    assert event["effectiveFrom"] == ledger.w3.eth.get_block(receipt.block_number)["timestamp"] > now - 10
    expect_revert(
        lambda: onchain.set_rules(ledger.client, ledger.sender, cid, b"\x03" * 32, 2**40), "RulesInvalid"
    )
    expect_revert(
        lambda: onchain.set_rules(ledger.client, ledger.sender, cid, b"\x00" * 32, now + 10), "RulesInvalid"
    )
    unknown = text_to_bytes("no-such-campaign")
    expect_revert(
        lambda: onchain.set_rules(ledger.client, ledger.sender, unknown, RULES, now + 10), "CampaignUnknown"
    )


def test_a_period_commits_once_under_rules_set_and_in_effect(
    ledger: LedgerHarness, chain_snapshot: None
) -> None:
    cid = ledger.campaign()
    later = secrets.token_bytes(32)
    onchain.set_rules(ledger.client, ledger.sender, cid, later, ledger.now() + 3600)
    expect_revert(lambda: commit(ledger, cid, 10, rules=secrets.token_bytes(32)), "RulesUnknown")
    expect_revert(lambda: commit(ledger, cid, 10, rules=later), "RulesNotEffective")
    ledger.w3.provider.make_request("evm_increaseTime", [3600])  # type: ignore[arg-type]
    ledger.w3.provider.make_request("evm_mine", [])  # type: ignore[arg-type]
    period = commit(ledger, cid, 10, rules=later)
    expect_revert(
        lambda: commit(ledger, cid, 10, period=period, rules=later), "PeriodExists", periodId=period
    )
    got = onchain.read_commitment(ledger.client, period)
    assert (got.campaign, got.rules_hash, got.root, got.leaf_count, got.total, got.issued) == (
        cid, later, ROOT, 3, 10, 0,
    )  # fmt: skip


def test_a_commitment_needs_an_id_a_root_leaves_and_a_total_that_fits(ledger: LedgerHarness) -> None:
    cid, c, s = ruled(ledger), ledger.client, ledger.sender
    zero = b"\x00" * 32
    expect_revert(lambda: onchain.commit_period(c, s, zero, cid, RULES, ROOT, 3, 1), "PeriodInvalid")
    expect_revert(lambda: onchain.commit_period(c, s, b"p" * 32, cid, RULES, zero, 3, 1), "PeriodInvalid")
    expect_revert(lambda: onchain.commit_period(c, s, b"p" * 32, cid, RULES, ROOT, 0, 1), "PeriodInvalid")
    expect_revert(
        lambda: onchain.commit_period(c, s, b"p" * 32, cid, RULES, ROOT, 3, 2**128), "LedgerAmountTooLarge"
    )


def test_commitment_gas_is_at_most_80000(ledger: LedgerHarness) -> None:
    cid = ruled(ledger)
    receipt = onchain.commit_period(
        ledger.client, ledger.sender, secrets.token_bytes(32), cid, RULES, ROOT, 1_000_000, 10**24
    )
    assert receipt.gas_used <= 80_000, receipt.gas_used


def test_period_batches_never_issue_more_than_the_committed_total(ledger: LedgerHarness) -> None:
    cid = ruled(ledger)
    batch = rows(3, amount=100)  # 100 + 101 + 102 = 303
    period = commit(ledger, cid, 303 + 50)
    period_batch(ledger, period, batch)
    assert onchain.read_commitment(ledger.client, period).issued == 303
    expect_revert(
        lambda: period_batch(ledger, period, rows(1, amount=51)),
        "PeriodTotalExceeded", periodId=period, total=353, issued=303, amount=51,
    )  # fmt: skip
    period_batch(ledger, period, rows(1, amount=50))
    assert ledger.client.campaign(cid).issued == 353
    assert [r.amount for r in onchain.period_rows(ledger.client, period)] == [100, 101, 102, 50]


def test_a_period_batch_names_a_committed_period_and_is_a_batch_like_any_other(ledger: LedgerHarness) -> None:
    cid = ruled(ledger)
    expect_revert(lambda: period_batch(ledger, b"x" * 32, rows(1)), "PeriodUnknown", periodId=b"x" * 32)
    period, batch_id = commit(ledger, cid, 1000), secrets.token_bytes(32)
    data = ledger.client.encode("issuePeriodBatch", batch_id, period, pack_rows(rows(2)))
    receipt = ledger.sender.transact(ledger.client.address, data)
    (batch,) = events_of(ledger, receipt.logs, "BatchIssued")
    assert (batch["batchId"], batch["campaignId"], batch["total"]) == (batch_id, cid, 201)
    assert events_of(ledger, receipt.logs, "PeriodBatchIssued") == [
        {"periodId": period, "batchId": batch_id, "amount": 201, "issued": 201}
    ]
    expect_revert(lambda: period_batch(ledger, period, rows(1), batch_id), "LedgerReferenceUsed")


def test_a_period_batch_per_reward_costs_at_most_5_percent_more_than_a_plain_batch(
    ledger: LedgerHarness,
) -> None:
    cid = ruled(ledger)
    period = commit(ledger, cid, 10**20)
    ledger.issue_batch(cid, rows(1))  # the campaign's and ledger's issued totals leave zero first
    plain = ledger.issue_batch(cid, rows(100))
    with_period = period_batch(ledger, period, rows(100))
    assert with_period <= plain * 1.05, (with_period, plain)


def test_only_the_admin_sets_rules_and_only_issuers_commit_and_issue_periods(
    ledger: LedgerHarness, stranger: LocalAccount
) -> None:
    from ledger.chain.sender import Sender

    cid = ruled(ledger)
    period = commit(ledger, cid, 100)
    other = Sender(ledger.w3, stranger, timeout=60)
    c = ledger.client
    expect_revert(
        lambda: onchain.set_rules(c, other, cid, b"\x02" * 32, ledger.now() + 9),
        "AccessControlUnauthorizedAccount",
    )
    expect_revert(
        lambda: onchain.commit_period(c, other, b"q" * 32, cid, RULES, ROOT, 1, 1),
        "AccessControlUnauthorizedAccount",
    )
    data = c.encode("issuePeriodBatch", secrets.token_bytes(32), period, pack_rows(rows(1)))
    expect_revert(lambda: other.transact(c.address, data), "AccessControlUnauthorizedAccount")


def test_a_paused_ledger_takes_no_period_batch(ledger: LedgerHarness) -> None:
    cid = ruled(ledger)
    period = commit(ledger, cid, 100)
    ledger.sender.transact(ledger.client.address, ledger.client.encode("pause"))
    expect_revert(lambda: period_batch(ledger, period, rows(1)), "EnforcedPause")
