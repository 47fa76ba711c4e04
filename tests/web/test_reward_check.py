"""The player page's "How a reward was computed" in a real Chromium: a period file recomputed
under its rules, explained rule by rule, and checked against a real ledger on anvil."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page

from ledger.encoding import Row
from tests.conftest import LedgerHarness
from tests.rules.world import Period, make_period
from tests.web.conftest import Site

pytestmark = pytest.mark.slow  # a browser on the served pages


def check_file(page: Page, site: Site, period: Period, tmp_path: Path, index: int) -> str:
    page.goto(site.base + "/")
    page.wait_for_selector("body[data-ready=true]")
    page.eval_on_selector("#rpc-url", "(el, url) => { el.value = url; }", site.rpc)
    page.eval_on_selector("#contract", "(el, a) => { el.value = a; }", period.ledger.client.address)
    page.set_input_files("#leaf-file", str(period.proof_file(tmp_path, index)))
    page.wait_for_function(
        "() => ['verified', 'failed'].includes(document.querySelector('#reward-check').dataset.status)"
    )
    return page.inner_text("#rewards-check")


def test_the_page_explains_a_reward_rule_by_rule_and_finds_it_paid(
    page: Page, site: Site, ledger: LedgerHarness, tmp_path: Path
) -> None:
    period = make_period(ledger)
    period.commit()
    period.pay(period.honest_rows())
    shown = check_file(page, site, period, tmp_path, 1)
    assert page.get_attribute("#reward-check", "data-status") == "verified", shown
    assert "the ledger paid you 2,200" in shown
    assert (
        "net loss 21,000 wagered \u2212 0 won = 21,000; 10 % of it, rounded down, is 2,100, between 100 and 5,000: 2,100"
        in shown
    )
    assert "reached now, bonus released: 100" in shown and "Reward: 2,200 (no tier multiplier)" in shown
    assert "Wagered on slots\n21,000" in shown


def test_the_page_finds_a_reward_paid_short(
    page: Page, site: Site, ledger: LedgerHarness, tmp_path: Path
) -> None:
    period = make_period(ledger)
    period.commit()
    shorted = period.rows[1].player
    period.pay(
        [
            Row(r.player, r.amount - 16 if r.player == shorted else r.amount, r.ref)
            for r in period.honest_rows()
        ]
    )
    shown = check_file(page, site, period, tmp_path, 1)
    assert page.get_attribute("#reward-check", "data-status") == "failed", shown
    assert "the ledger paid 2,184 where the rules give 2,200 (difference 16)" in shown
