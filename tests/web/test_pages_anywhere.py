"""Both pages on a phone-sized screen, and both pages talking to nobody but the API and the node."""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, BrowserContext, Page

from tests.web.conftest import PHONE, Site, screenshot_path
from tests.web.pages import DONE, entries_shown, open_dashboard, open_player, open_terms, show_all, verify

pytestmark = pytest.mark.slow  # browser checks of every request and phone layout

# A mobile browser widens its layout viewport to overflowing content, so compare with the screen's width.
FITS = f"() => document.documentElement.scrollWidth <= {PHONE['width']}"


@pytest.fixture
def phone(browser: Browser) -> Iterator[BrowserContext]:
    context = browser.new_context(viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True)  # type: ignore[arg-type]
    yield context
    context.close()


def test_both_pages_fit_a_phone_screen_without_sideways_scrolling(
    phone: BrowserContext, site: Site, request: pytest.FixtureRequest
) -> None:
    page = phone.new_page()
    open_player(page, site, "alice")
    show_all(page)
    verify(page)
    assert page.evaluate(FITS), "the player page scrolls sideways on a phone"
    page.screenshot(path=screenshot_path(request, "-player"), full_page=True)
    open_terms(page, entries_shown(page)[0]["seq"])
    assert page.evaluate(FITS), "the terms dialog scrolls sideways on a phone"
    page.screenshot(path=screenshot_path(request, "-terms"))

    open_dashboard(page, site)
    assert page.evaluate(FITS), "the dashboard scrolls sideways on a phone"
    page.screenshot(path=screenshot_path(request, "-dashboard"), full_page=True)


def origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def test_the_pages_request_nothing_from_any_host_but_the_api_and_the_node(page: Page, site: Site) -> None:
    requested: list[str] = []
    page.on("request", lambda r: requested.append(r.url))
    open_player(page, site, "alice")
    show_all(page)
    verify(page)
    open_terms(page, entries_shown(page)[-1]["seq"])
    page.keyboard.press("Escape")
    open_dashboard(page, site)
    page.wait_for_selector(f"#totals-check:is({DONE})")

    origins = {origin(url) for url in requested}
    assert origins == {site.base, site.rpc}, f"unexpected hosts: {origins - {site.base, site.rpc}}"
    assert any(url.endswith("/web/sha3.min.js") for url in requested)  # the vendored hash, served here
    assert sum(1 for url in requested if origin(url) == site.rpc) >= 3  # the checks did ask the node
