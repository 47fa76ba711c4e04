"""The interactive docs (`/docs`): every file from this origin, and a working page offline under
its Content-Security-Policy, in a real browser that may reach no other host."""

from __future__ import annotations

import os
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest
from fastapi import FastAPI
from playwright.sync_api import sync_playwright

from tests.verify.server import serving

CHROMIUM = os.environ.get("LEDGER_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"]
MEDIA = {".js": "text/javascript", ".css": "text/css", ".png": "image/png"}


class References(HTMLParser):
    """Every URL an HTML page makes the browser load (src and href)."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []
        self.inline_scripts = 0
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        self.urls += [value for name, value in attrs if name in ("src", "href") and value]
        self._in_script = tag == "script" and "src" not in found
        self.inline_scripts += any(name.startswith("on") for name, _ in attrs)

    def handle_data(self, data: str) -> None:
        self.inline_scripts += self._in_script and bool(data.strip())

    def handle_endtag(self, tag: str) -> None:
        self._in_script = False


async def test_the_docs_page_loads_every_file_from_this_origin(client: httpx.AsyncClient) -> None:
    reply = await client.get("/docs")
    assert reply.status_code == 200 and reply.headers["content-type"].startswith("text/html")
    page = References()
    page.feed(reply.text)
    assert len(page.urls) == 4 and page.inline_scripts == 0, (page.urls, page.inline_scripts)
    for url in page.urls:
        parts = urlsplit(url)
        assert not parts.scheme and not parts.netloc and url.startswith("/docs/"), url
        asset = await client.get(url)
        assert asset.status_code == 200 and len(asset.content) > 500, url
        assert asset.headers["content-type"].startswith(MEDIA[Path(parts.path).suffix]), url
    policy = reply.headers["content-security-policy"]
    assert "script-src 'self';" in policy and "connect-src 'self';" in policy
    assert "http" not in policy and "unsafe" not in policy


async def test_only_the_docs_own_files_are_served(client: httpx.AsyncClient) -> None:
    for name in ("index.html", "swagger-ui-bundle.js.map", "..%2F__init__.py", "oauth2-redirect.html"):
        reply = await client.get(f"/docs/{name}")
        assert reply.status_code == 404 and reply.json()["error"] == "not_found", name
    assert (await client.get("/redoc")).status_code == 404  # dropped: it loaded from a CDN too


@pytest.mark.slow
def test_the_docs_work_offline_under_their_policy_in_a_browser(app: FastAPI) -> None:
    if not Path(CHROMIUM).exists():
        pytest.skip(f"the browser test needs Chromium at {CHROMIUM} (make setup installs it)")
    operations = sum(len(methods) for methods in app.openapi()["paths"].values())
    with serving(app) as base, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page()
            elsewhere: list[str] = []
            problems: list[str] = []

            def route(handler_route: object, request: object) -> None:
                url = request.url  # type: ignore[attr-defined]
                if url.startswith(base + "/") or url.startswith("data:"):
                    handler_route.continue_()  # type: ignore[attr-defined]
                else:
                    elsewhere.append(url)
                    handler_route.abort()  # type: ignore[attr-defined]

            page.route("**/*", route)
            page.on("pageerror", lambda exc: problems.append(str(exc)))
            page.on("console", lambda msg: problems.append(msg.text) if msg.type == "error" else None)
            page.goto(base + "/docs")
            page.wait_for_function(f"document.querySelectorAll('.opblock').length === {operations}")
            page.locator(".opblock-summary").first.click()  # an operation unfolds
            page.locator(".opblock-body").first.wait_for()
            title = page.locator(".info .title").inner_text()
        finally:
            browser.close()
    assert title.startswith("Transparent rewards ledger")
    assert elsewhere == [] and problems == [], (elsewhere, problems)
