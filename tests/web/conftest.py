"""Browser fixtures: the web world mirrored by the real indexer, served over HTTP, and the system
Chromium driven by Playwright (never a downloaded browser)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, Page, Playwright, sync_playwright
from sqlalchemy import Engine
from web3 import Web3

from api.main import create_app
from ledger.chain.node import LocalNode
from ledger.config import Settings
from ledger.db.engine import make_engine
from tests.api.conftest import settings_for
from tests.api.world import index_into
from tests.conftest import fresh_database
from tests.verify.server import serving
from tests.web.world import WebWorld, build_web_world

TOKEN = "audit-token-for-browser-tests"
ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts" / "web"
CHROMIUM = os.environ.get("LEDGER_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync",
]  # fmt: skip
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 360, "height": 740}
WIDTHS = (1280, 390)  # the screens the pages are checked at: a laptop and a phone
EUROS = {"display_unit": "EUR", "display_decimals": 2}


@dataclass
class Site:
    """The API (with the pages) over a mirror of the web world; tests may tamper with `engine`."""

    world: WebWorld
    base: str
    rpc: str
    engine: Engine
    url: str

    def api(self, path: str) -> Any:
        with httpx.Client(base_url=self.base, headers={"Authorization": f"Bearer {TOKEN}"}) as client:
            response = client.get(path)
            response.raise_for_status()
            return response.json()

    def player_url(self, name: str) -> str:
        return f"{self.base}/?player={self.world.key(name)}"


@pytest.fixture(scope="package")
def web_world(w3: Web3, tmp_path_factory: pytest.TempPathFactory) -> WebWorld:
    return build_web_world(w3, tmp_path_factory.mktemp("web-data") / "terms")


@contextmanager
def site_over(world: WebWorld, anvil: LocalNode, directory: Path) -> Iterator[Site]:
    """A fresh SQLite mirror of `world` from the real indexer, served (audit token on) until the block ends."""
    with fresh_database("sqlite", directory) as url:
        index_into(world, url)
        engine = make_engine(url)
        try:
            with serving(
                create_app(web_settings(url, world, anvil))
            ) as base:  # pages verify against this anvil
                yield Site(world, base, anvil.url, engine, url)
        finally:
            engine.dispose()


def web_settings(url: str, world: WebWorld, anvil: LocalNode, **update: Any) -> Settings:
    return settings_for(url, world, anvil, TOKEN).model_copy(update={"public_rpc_url": None, **update})


@contextmanager
def served_as(site: Site, anvil: LocalNode, **update: Any) -> Iterator[Site]:
    """The same mirror served by a second API whose settings differ by `update` (e.g. display)."""
    with serving(create_app(web_settings(site.url, site.world, anvil, **update))) as base:
        yield Site(site.world, base, site.rpc, site.engine, site.url)


@pytest.fixture(scope="package")
def euro_site(site: Site, anvil: LocalNode) -> Iterator[Site]:
    """The shared mirror, for an operator whose ledger counts euro cents."""
    with served_as(site, anvil, **EUROS) as served:
        yield served


@pytest.fixture(scope="package")
def site(web_world: WebWorld, anvil: LocalNode, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    """The untouched mirror, shared by the tests that only read."""
    with site_over(web_world, anvil, tmp_path_factory.mktemp("web-mirror")) as served:
        yield served


@pytest.fixture
def tampered_site(web_world: WebWorld, anvil: LocalNode, tmp_path: Path) -> Iterator[Site]:
    """A mirror of its own, for a test that makes the API lie."""
    with site_over(web_world, anvil, tmp_path) as served:
        yield served


@pytest.fixture(scope="package")
def playwright() -> Iterator[Playwright]:
    if not Path(CHROMIUM).exists():
        pytest.skip(
            f"browser tests need Chromium at {CHROMIUM} (make setup installs it; LEDGER_CHROMIUM overrides)"
        )
    with sync_playwright() as p:
        yield p


@pytest.fixture(scope="package")
def browser(playwright: Playwright) -> Iterator[Browser]:
    browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    yield browser
    browser.close()


def screenshot_path(request: pytest.FixtureRequest, suffix: str = "") -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS / f"{request.node.name}{suffix}.png"


@pytest.fixture
def page(browser: Browser, request: pytest.FixtureRequest) -> Iterator[Page]:
    """A desktop-sized page in a fresh context; its last state is saved as a screenshot artifact.
    Script errors on the page fail the test."""
    context = browser.new_context(viewport=DESKTOP)  # type: ignore[arg-type]
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    yield page
    page.screenshot(path=screenshot_path(request), full_page=True)
    context.close()
    assert not errors, f"script errors on the page: {errors}"


def update_docs_screenshot(page: Page, name: str, full_page: bool = False) -> None:
    """With LEDGER_UPDATE_DOCS_SCREENSHOTS=1, refreshes docs/<name> (the README's pictures)."""
    if os.environ.get("LEDGER_UPDATE_DOCS_SCREENSHOTS") == "1":
        page.screenshot(path=ROOT / "docs" / name, full_page=full_page)
