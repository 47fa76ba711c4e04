"""The dashboard's chart and table over ledgers spanning minutes to years: periods a reader counts
in, axis labels that are distinct, readable and apart, and a table of a sensible length."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime
from itertools import pairwise

import pytest
from playwright.sync_api import Page
from sqlalchemy import func, select, update

from ledger.chain.node import LocalNode
from ledger.db import tables as t
from tests.web.conftest import WIDTHS, Site, screenshot_path, site_over
from tests.web.pages import open_dashboard
from tests.web.world import WebWorld

pytestmark = pytest.mark.slow  # a browser per chart size

START = int(datetime(2026, 3, 10, 9, 0, tzinfo=UTC).timestamp())  # a Tuesday morning
DAY = 86_400
DATE = r"\d{1,2} (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)"
MONTH = r"(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)"
# span name: (seconds the entries spread over, the chart's period unit, axis label, table row label)
SPANS = {
    "three minutes": (180, "second", r"\d\d:\d\d(:\d\d)?", rf"{DATE} 2026 \d\d:\d\d:\d\d"),
    "forty minutes": (40 * 60, "minute", r"\d\d:\d\d", rf"{DATE} 2026 \d\d:\d\d"),
    "twenty hours": (20 * 3600, "minute", rf"({DATE} )?\d\d:\d\d", rf"{DATE} 2026 \d\d:\d\d"),
    "ten days": (10 * DAY, "hour", rf"{DATE}( \d\d:\d\d)?", rf"{DATE} 2026 \d\d:\d\d"),
    "five months": (150 * DAY, "week", rf"{DATE}|{MONTH} 2026", rf"Week of {DATE} 2026"),
    "ten months": (300 * DAY, "week", rf"{MONTH} 202[67]", rf"{MONTH} 202[67]"),
    "six years": (
        6 * 365 * DAY,
        "month",
        rf"({MONTH} )?20\d\d",
        rf"({MONTH}|{MONTH}\u2013{MONTH}) 20\d\d|20\d\d",
    ),
}

# The x-axis labels: the chart's lowest row of text, left to right.
TICKS = """els => {
  const boxes = els.map(e => { const b = e.getBBox(); return { label: e.textContent, left: b.x, right: b.x + b.width, y: b.y }; });
  const bottom = Math.max(...boxes.map(b => b.y));
  return boxes.filter(b => b.y === bottom).sort((a, b) => a.left - b.left);
}"""


@pytest.fixture(scope="module")
def timed_site(
    web_world: WebWorld, anvil: LocalNode, site: Site, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Site]:
    """A mirror of its own, whose entries' times the tests spread over different spans."""
    with site_over(web_world, anvil, tmp_path_factory.mktemp("web-timed")) as own:
        yield own


def spread(site: Site, seconds: int) -> None:
    """Moves the entries' times so that they spread evenly, in order, over `seconds` from START."""
    with site.engine.begin() as conn:
        first, last = conn.execute(select(func.min(t.entries.c.seq), func.max(t.entries.c.seq))).one()
        step = seconds // (last - first)
        conn.execute(update(t.entries).values(block_time=START + (t.entries.c.seq - first) * step))


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("span", SPANS)
def test_axis_labels_and_table_rows_are_distinct_and_read_naturally(
    page: Page, timed_site: Site, span: str, width: int, request: pytest.FixtureRequest
) -> None:
    seconds, unit, axis, row = SPANS[span]
    spread(timed_site, seconds)
    page.set_viewport_size({"width": width, "height": 900})
    open_dashboard(page, timed_site)
    series = timed_site.api("/web/audit/series?buckets=60")
    assert series["unit"] == unit

    ticks = page.eval_on_selector_all("#chart svg text", TICKS)
    labels = [tick["label"] for tick in ticks]
    assert len(labels) >= 2 and len(set(labels)) == len(labels), labels
    assert all(re.fullmatch(axis, label) for label in labels), labels
    chart_width = page.eval_on_selector("#chart svg", "svg => svg.viewBox.baseVal.width")
    for a, b in pairwise(ticks):
        assert a["right"] + 4 <= b["left"], f"{a['label']!r} and {b['label']!r} overlap"
    assert ticks[0]["left"] >= 0 and ticks[-1]["right"] <= chart_width

    page.click("#series-table >> xpath=ancestor::details/summary")
    rows = page.locator("#series-table tbody th").all_inner_texts()
    assert 2 <= len(rows) <= 24 and len(set(rows)) == len(rows), rows
    assert all(re.fullmatch(row, label) for label in rows), rows
    page.locator("section.chart").screenshot(path=screenshot_path(request, "-chart"))
