"""The auditor dashboard in a real Chromium, over the mirror of the web world."""

from __future__ import annotations

import httpx
import pytest
from playwright.sync_api import Page

from tests.web.conftest import TOKEN, Site
from tests.web.pages import DONE, open_dashboard, points
from tests.web.world import BUDGETS

pytestmark = pytest.mark.slow  # a browser on the served pages


def test_the_dashboard_asks_for_the_token_then_shows_the_seeded_totals(page: Page, site: Site) -> None:
    open_dashboard(page, site)
    summary = site.api("/v1/audit/summary")
    for key in ("outstanding", "issued", "paid", "reversed", "expired"):
        assert page.inner_text(f"#{key}") == points(summary[key])
    assert page.inner_text("#entry-count") == f"{summary['entry_count']:,}"
    assert page.inner_text("#players") == str(summary["players"])
    assert page.inner_text("#campaigns") == str(len(BUDGETS))
    assert summary["paid"] != "0" and summary["reversed"] != "0" and summary["expired"] != "0"
    assert page.get_attribute("#totals-check", "data-status") == "verified"
    assert page.inner_text("#totals-check").startswith(
        f"Totals, entry count and head match the contract at block {summary['as_of_block']}"
    )


def test_the_dashboard_shows_budgets_the_chart_the_verdict_and_the_lag(page: Page, site: Site) -> None:
    open_dashboard(page, site)
    use = {c["name"]: c for c in site.api("/v1/audit/campaigns")["campaigns"]}
    assert set(use) == set(BUDGETS)
    for name, c in use.items():
        bar = page.locator(f'li.budget[data-campaign="{name}"]')
        assert bar.locator("[data-field=use]").inner_text() == (
            f"{points(c['issued'])} of {points(c['budget'])} ({c['used_percent']}%)"
        )
        assert float(bar.get_by_role("progressbar").get_attribute("aria-valuenow") or "") == float(
            c["used_percent"]
        )

    assert page.locator("#chart svg polyline[data-series=issued]").count() == 1
    assert page.locator("#chart svg polyline[data-series=paid]").count() == 1
    table = site.api("/web/audit/series?buckets=24")  # the table's coarser periods
    summary = site.api("/v1/audit/summary")
    assert sum(int(p["issued"]) for p in table["points"]) == int(summary["issued"])
    assert page.locator("#series-table tbody tr").count() == sum(
        1 for p in table["points"] if any(p[k] != "0" for k in ("issued", "paid", "reversed", "expired"))
    )
    totals = page.locator("#series-table tfoot td").all_text_contents()  # in the closed <details>
    assert totals == [f"{int(summary[k]):,}" for k in ("issued", "paid", "reversed", "expired")]

    reconcile = site.api("/v1/audit/reconcile")
    assert page.inner_text("#verdict") == f"PASS at block {reconcile['block']}"
    status = site.api("/v1/audit/status")
    assert page.inner_text("#indexer-facts [data-field=indexer-block]") == f"block {status['indexer_block']}"
    assert page.inner_text("#indexer-facts [data-field=lag]").startswith(f"{status['lag_blocks']} block")


def test_the_csv_export_downloads_with_the_token_and_equals_the_api(page: Page, site: Site) -> None:
    open_dashboard(page, site)
    with page.expect_download() as download:
        page.click("#export")
    path = download.value.path()
    with httpx.Client(base_url=site.base, headers={"Authorization": f"Bearer {TOKEN}"}) as client:
        expected = client.get("/v1/audit/export.csv").text
    assert path.read_text() == expected
    assert expected.count("\n") == int(site.api("/v1/audit/summary")["entry_count"]) + 1


def test_a_wrong_token_is_refused_and_asked_for_again(page: Page, site: Site) -> None:
    open_dashboard(page, site, token="not-the-token")
    page.wait_for_selector("#message:not([hidden])")
    assert page.inner_text("#message").startswith("That token was refused")
    assert page.locator("#dashboard").is_hidden()
    assert page.locator(f"#verdict:is({DONE})").count() == 0
