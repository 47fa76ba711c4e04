"""Driving the pages as a reader would, and reading back what they show."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from playwright.sync_api import Page

from tests.web.conftest import TOKEN, Site

DONE = "[data-status=verified], [data-status=failed], [data-status=unavailable]"
NBSP = "\u00a0"
MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

# What each history entry shows, read from the DOM (the page marks its fields with data-field).
READ_ENTRIES = """els => els.map(li => {
  const field = name => li.querySelector(`[data-field="${name}"]`);
  const text = name => field(name) ? field(name).textContent : null;
  return {
    seq: Number(li.dataset.seq), kind: li.dataset.kind, status: li.dataset.status,
    amount: field('amount').dataset.amount, amount_text: text('amount'), time: text('time'),
    campaign: field('campaign') ? field('campaign').firstChild.textContent : null,
    reference: text('reference'), reason: text('reason'), batch: text('batch'),
    block: text('block'), tx: field('tx').querySelector('code').title, log: text('log'),
    recorded: text('recorded'), sender: field('sender').querySelector('code').title,
    check: li.querySelector('.check').textContent,
  };
})"""


def open_player(page: Page, site: Site, name: str) -> None:
    """Opens the player's page and waits for it to load and check itself against the node."""
    page.goto(site.player_url(name))
    page.wait_for_selector("body[data-ready=true]")
    settle(page)


def settle(page: Page) -> None:
    """Waits until no check is running on the page."""
    page.wait_for_function("() => !document.querySelector('[data-status=checking]')")


def show_all(page: Page) -> None:
    """Clicks "Show older entries" until the last page is shown, then waits for its check."""
    more = page.locator("#more")
    while more.is_visible():
        count = page.locator("li.entry").count()
        more.click()
        page.locator("li.entry").nth(count).wait_for()
    settle(page)


def verify(page: Page) -> str:
    """Presses "Check again" and returns the summary line once every check has finished."""
    page.click("#verify-button")
    page.wait_for_selector(f"#verify-summary:is({DONE})")
    settle(page)
    return page.inner_text("#verify-summary")


def entries_shown(page: Page) -> list[dict[str, Any]]:
    result: list[dict[str, Any]] = page.eval_on_selector_all("li.entry", READ_ENTRIES)
    return result


def api_history(site: Site, name: str) -> list[dict[str, Any]]:
    """The player's whole history from the API, following its cursors."""
    entries: list[dict[str, Any]] = []
    cursor = None
    while True:
        page = site.api(
            f"/v1/players/{site.world.key(name)}/history?limit=7" + (f"&cursor={cursor}" if cursor else "")
        )
        entries += page["entries"]
        cursor = page["next_cursor"]
        if not cursor:
            return entries


def utc(seconds: int) -> str:
    return datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def when(seconds: int) -> str:
    """A time as the page writes it for people: "8 Dec 2026, 21:12 UTC"."""
    t = datetime.fromtimestamp(seconds, UTC)
    return f"{t.day} {MONTHS[t.month - 1]} {t.year}, {t:%H:%M} UTC"


def points(value: str | int) -> str:
    """An amount under the default display settings (unit "points", no decimals): "1,234 points"."""
    n = int(value)
    return f"{n:,}{NBSP}{'point' if n == 1 else 'points'}"


def euros(value: str | int) -> str:
    """An amount of euro cents (display EUR, 2 decimals): "€1,234.56"."""
    n = int(value)
    return f"€{n // 100:,}.{n % 100:02d}"


def signed(kind: str, text: str) -> str:
    return ("+" if kind == "issued" else "\u2212") + text


def open_terms(page: Page, seq: int) -> str:
    """Opens the terms of entry `seq`'s campaign and returns the verdict line."""
    page.click(f'li.entry[data-seq="{seq}"] [data-field=campaign] button')
    page.wait_for_selector(f"#terms-status:is({DONE})")
    return page.inner_text("#terms-status")


def open_dashboard(page: Page, site: Site, token: str = TOKEN) -> None:
    """Opens /audit, which asks for the audit token first, and gives it."""
    page.goto(f"{site.base}/audit")
    page.wait_for_selector("#token-card:not([hidden])")
    page.fill("#token", token)
    page.click("#token-card button[type=submit]")
    if token == TOKEN:
        page.wait_for_selector(f"#verdict:is({DONE})")
        page.wait_for_selector(f"#totals-check:is({DONE})")
