"""Nothing wraps where it should not, at a laptop's and a phone's width: no figure breaks over two
lines or spills out of its card, however large, and no long word, hash or number breaks mid-word,
with a ledger of large sums in euros and entries whose batch id and reference are raw hex."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Browser, Page
from sqlalchemy import update

from ledger.chain.node import LocalNode
from ledger.db import tables as t
from tests.web.conftest import EUROS, WIDTHS, Site, screenshot_path, served_as, site_over
from tests.web.pages import api_history, euros, open_dashboard, open_player
from tests.web.world import WebWorld

pytestmark = pytest.mark.slow  # browser layouts at two screen widths

BIG_TOTALS = {
    "issued": 4_226_468_123_456,
    "paid": 1_234_567_890_123,
    "reversed": 98_765_432_101,
    "expired": 12_345_678_901,
}
BIG_PLAYER = {"balance": 123_456_789_012, "earned": 246_913_578_024, "paid": 98_765_432_109, "reversed": 20_000_000_000,
              "expired": 4_691_356_903}  # fmt: skip

# Per figure: how many lines its text takes, whether its box scrolls (text cut off), whether it
# stays inside its card.
FIGURES = """els => els.map(dd => {
  const range = document.createRange();
  range.selectNodeContents(dd);
  const lines = new Set([...range.getClientRects()].filter(r => r.width > 0).map(r => Math.round(r.top))).size;
  const box = dd.getBoundingClientRect(), card = dd.closest('.card').getBoundingClientRect();
  return { id: dd.id, text: dd.textContent, lines, cut: dd.scrollWidth > dd.clientWidth,
           inside: box.left >= card.left - 0.5 && box.right <= card.right + 0.5 };
})"""

# Every word (a run without spaces) of the visible text whose pieces sit on more than one line.
BROKEN_WORDS = """() => {
  const broken = [];
  const walker = document.createTreeWalker(document.querySelector('main'), NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    if (!node.parentElement.checkVisibility()) continue;
    for (const m of node.data.matchAll(/\\S+/g)) {
      const range = document.createRange();
      range.setStart(node, m.index);
      range.setEnd(node, m.index + m[0].length);
      const tops = new Set([...range.getClientRects()].filter(r => r.width > 0).map(r => Math.round(r.top)));
      if (tops.size > 1) broken.push(m[0]);
    }
  }
  return broken;
}"""


@pytest.fixture(scope="module")
def big_site(
    web_world: WebWorld, anvil: LocalNode, site: Site, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Site]:
    """A mirror of its own holding casino-sized sums in cents, served with the display in euros."""
    with site_over(web_world, anvil, tmp_path_factory.mktemp("web-big")) as own:
        alice = own.world.key("alice")
        newest = api_history(own, "alice")[0]
        assert newest["batch_id"]  # alice's newest entry is a batch row: give it a raw-hex batch id
        raw = "0x" + "ff" + secrets.token_hex(31)
        with own.engine.begin() as conn:
            conn.execute(update(t.totals).values(entry_count=4_226_468, **BIG_TOTALS))
            conn.execute(update(t.players).where(t.players.c.player == alice).values(**BIG_PLAYER))
            conn.execute(update(t.campaigns).values(budget=10**16, issued=BIG_TOTALS["issued"]))
            conn.execute(
                update(t.entries)
                .where(t.entries.c.seq == newest["seq"])
                .values(
                    batch_id=raw, aux=raw, ref="0x" + "fe" + secrets.token_hex(31), amount=987_654_321_098
                )
            )
        with served_as(own, anvil, **EUROS) as served:
            yield served


@pytest.fixture(params=WIDTHS, ids=lambda w: f"{w}px")
def sized(browser: Browser, request: pytest.FixtureRequest) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": request.param, "height": 900})
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    yield page
    context.close()
    assert not errors, f"script errors on the page: {errors}"


def width_of(page: Page) -> int:
    size = page.viewport_size
    assert size is not None
    return size["width"]


def assert_figures_whole(figures: list[dict[str, Any]]) -> None:
    assert figures
    for f in figures:
        assert f["lines"] == 1, f"{f['id']} ({f['text']}) takes {f['lines']} lines"
        assert not f["cut"], f"{f['id']} ({f['text']}) is cut off"
        assert f["inside"], f"{f['id']} ({f['text']}) spills out of its card"


def test_no_balance_figure_wraps_or_spills(
    sized: Page, big_site: Site, request: pytest.FixtureRequest
) -> None:
    open_player(sized, big_site, "alice")
    figures = sized.eval_on_selector_all(".figure dd", FIGURES)
    assert_figures_whole(figures)
    shown = {f["id"]: f["text"] for f in figures}
    assert shown["available"] == euros(BIG_PLAYER["balance"]) == "€1,234,567,890.12"
    assert shown["earned"] == euros(BIG_PLAYER["earned"])
    amount = sized.locator("li.entry .amount").first
    assert amount.inner_text() == "+" + euros(987_654_321_098)
    assert_figures_whole(amount.evaluate_all(FIGURES.replace("dd.closest('.card')", "dd.closest('li')")))
    sized.screenshot(path=screenshot_path(request))  # the balance and the newest entries


def test_no_dashboard_figure_wraps_or_spills(
    sized: Page, big_site: Site, request: pytest.FixtureRequest
) -> None:
    open_dashboard(sized, big_site)
    figures = sized.eval_on_selector_all(".figure dd", FIGURES)
    assert_figures_whole(figures)
    shown = {f["id"]: f["text"] for f in figures}
    outstanding = BIG_TOTALS["issued"] - BIG_TOTALS["paid"] - BIG_TOTALS["reversed"] - BIG_TOTALS["expired"]
    assert shown["outstanding"] == euros(outstanding)
    assert shown["issued"] == euros(BIG_TOTALS["issued"]) == "€42,264,681,234.56"
    assert shown["entry-count"] == "4,226,468"
    for use in sized.locator(".budget [data-field=use] .nowrap").all():  # each amount of a budget on one line
        assert (
            len({round(r["y"]) for r in use.evaluate("el => [...el.getClientRects()].map(r => r.toJSON())")})
            == 1
        )
    sized.screenshot(path=screenshot_path(request), full_page=True)


def test_nothing_long_breaks_mid_word_or_leaves_the_screen(sized: Page, big_site: Site) -> None:
    width = width_of(sized)
    open_player(sized, big_site, "alice")
    for summary in sized.locator("details.proof > summary").all():  # every proof open
        summary.click()
    assert sized.evaluate(BROKEN_WORDS) == []
    assert sized.evaluate("document.documentElement.scrollWidth") <= width
    batch = sized.locator("li.entry [data-field=batch] code").first  # the raw-hex batch id, shortened
    full = batch.get_attribute("data-full") or ""
    assert len(full) == 66 and batch.inner_text() == f"{full[:8]}…{full[-6:]}"

    open_dashboard(sized, big_site)
    sized.click("#series-table >> xpath=ancestor::details/summary")
    assert sized.evaluate(BROKEN_WORDS) == []
    assert sized.evaluate("document.documentElement.scrollWidth") <= width
