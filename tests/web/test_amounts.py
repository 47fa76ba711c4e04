"""Amounts as money: the operator's display settings (a currency or a unit name, and how many
ledger units make one) on every amount of both pages, exact for any uint256."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Page

from tests.web.conftest import Site, update_docs_screenshot
from tests.web.pages import (
    NBSP,
    api_history,
    entries_shown,
    euros,
    open_dashboard,
    open_player,
    points,
    show_all,
    signed,
)

pytestmark = pytest.mark.slow  # every amount format in a browser

FIGURES = ("available", "earned", "paid", "reversed", "expired")
TOTALS = ("outstanding", "issued", "paid", "reversed", "expired")
CURRENCIES = {"EUR": ("€", 2), "USD": ("$", 2), "JPY": ("¥", 0)}  # sign, digits money shows
SINGULAR = {"points": "point", "credits": "credit"}


def reference(value: int, unit: str, decimals: int, bare: bool = False) -> str:
    """The display rule, stated independently: whole units grouped by thousands, then the fraction
    with its trailing zeros dropped down to the digits money shows (a currency's own, else 2)."""
    whole, fraction = divmod(value, 10**decimals)
    digits = str(fraction).zfill(decimals) if decimals else ""
    keep = min(decimals, CURRENCIES[unit][1] if unit in CURRENCIES else 2)
    digits = digits.rstrip("0").ljust(keep, "0")
    number = f"{whole:,}" + (f".{digits}" if digits else "")
    if unit in CURRENCIES:
        return CURRENCIES[unit][0] + number
    if bare:
        return number
    return f"{number}{NBSP}{SINGULAR.get(unit, unit) if number == '1' else unit}"


def test_the_player_page_shows_euros_when_the_ledger_counts_cents(page: Page, euro_site: Site) -> None:
    site = euro_site
    open_player(page, site, "alice")
    balance = site.api(f"/v1/players/{site.world.key('alice')}/balance")
    for key in FIGURES:
        assert page.inner_text(f"#{key}") == euros(balance[key])
    show_all(page)
    expected = api_history(site, "alice")
    shown = entries_shown(page)
    assert [row["amount_text"] for row in shown] == [signed(e["kind"], euros(e["amount"])) for e in expected]

    page.set_viewport_size({"width": 1280, "height": 1300})
    page.evaluate("() => window.scrollTo(0, 0)")
    page.locator("li.entry details.proof summary").first.click()  # one proof open, to show the fold
    update_docs_screenshot(page, "page.png")


def test_the_dashboard_shows_euros_when_the_ledger_counts_cents(page: Page, euro_site: Site) -> None:
    site = euro_site
    open_dashboard(page, site)
    summary = site.api("/v1/audit/summary")
    for key in TOTALS:
        assert page.inner_text(f"#{key}") == euros(summary[key])
    assert page.inner_text("#entry-count") == f"{summary['entry_count']:,}"  # counts stay counts
    for c in site.api("/v1/audit/campaigns")["campaigns"]:
        use = page.locator(f'li.budget[data-campaign="{c["name"]}"] [data-field=use]').inner_text()
        assert use == f"{euros(c['issued'])} of {euros(c['budget'])} ({c['used_percent']}%)"
    totals = page.locator("#series-table tfoot td").all_text_contents()
    assert totals == [euros(summary[k]) for k in ("issued", "paid", "reversed", "expired")]
    axis = page.locator("#chart svg text:not([data-tick])").all_text_contents()
    assert all(label.startswith("€") for label in axis)  # the y-axis counts euros too

    page.set_viewport_size({"width": 1280, "height": 1300})
    page.evaluate("() => window.scrollTo(0, 0)")
    update_docs_screenshot(page, "dashboard.png", full_page=True)


def test_amounts_are_points_unless_the_operator_says_otherwise(page: Page, site: Site) -> None:
    open_player(page, site, "alice")
    balance = site.api(f"/v1/players/{site.world.key('alice')}/balance")
    assert int(balance["earned"]) >= 1_000  # so that the thousands separator shows
    assert page.inner_text("#earned") == points(balance["earned"])
    assert "," in page.inner_text("#earned") and page.inner_text("#earned").endswith(f"{NBSP}points")
    open_dashboard(page, site)
    assert page.inner_text("#issued") == points(site.api("/v1/audit/summary")["issued"])


SETTINGS = [
    ("EUR", 2),
    ("EUR", 0),
    ("EUR", 4),
    ("USD", 2),
    ("JPY", 0),
    ("points", 0),
    ("points", 2),
    ("credits", 18),
]
VALUES = [0, 1, 5, 99, 100, 101, 1_000, 123_456, 10**15 + 7, 10**18, 15 * 10**17, 2**53 + 1, 2**256 - 1]


@pytest.mark.parametrize(("unit", "decimals"), SETTINGS)
def test_every_amount_is_formatted_exactly_whatever_its_size(
    page: Page, site: Site, unit: str, decimals: int
) -> None:
    page.goto(site.base)
    page.wait_for_selector("body[data-ready=true]")
    got: list[Any] = page.evaluate(
        """async ([unit, decimals, values]) => {
             const f = await import('/web/format.js');
             f.setDisplay({ unit, decimals });
             return values.map((v) => [f.money(v), f.money(v, { bare: true }), f.money(v, { sign: '-' })]);
           }""",
        [unit, decimals, [str(v) for v in VALUES]],
    )
    expected = [
        [
            reference(v, unit, decimals),
            reference(v, unit, decimals, bare=True),
            "\u2212" + reference(v, unit, decimals),
        ]
        for v in VALUES
    ]
    assert got == expected
