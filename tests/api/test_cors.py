"""Browsers on a program's own site may read the player routes (`LEDGER_CORS_ORIGINS`), and
nothing else: off by default, refused for other origins, never on the audit routes."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import FastAPI

from api.cors import parse_origins
from api.main import create_app
from ledger.chain.node import LocalNode
from ledger.errors import ConfigError
from tests.api.conftest import TOKEN, settings_for
from tests.api.world import World

SITE = "https://casino.example"
OTHER = "https://elsewhere.example"


def preflight(origin: str) -> dict[str, str]:
    return {"Origin": origin, "Access-Control-Request-Method": "GET"}


@pytest.fixture(scope="module")
def cors_app(mirror_url: str, world: World, anvil: LocalNode) -> FastAPI:
    settings = settings_for(mirror_url, world, anvil, TOKEN)
    return create_app(
        settings.model_copy(update={"cors_origins": f" {SITE.upper()}, http://127.0.0.1:8080 "})
    )


@pytest.fixture
async def cors(cors_app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=cors_app), base_url="http://api.test"
    ) as c:
        yield c


async def test_an_allowed_origin_reads_the_player_routes(cors: httpx.AsyncClient, world: World) -> None:
    for route in ("balance", "history", "entries/by-ref?ref=a-1"):
        path = f"/v1/players/{world.key('alice')}/{route}"
        reply = await cors.get(path, headers={"Origin": SITE})
        assert reply.status_code == 200 and reply.headers["access-control-allow-origin"] == SITE, path
        assert "Origin" in reply.headers["vary"]
        asked = await cors.options(path, headers=preflight(SITE))
        assert asked.status_code == 200 and asked.headers["access-control-allow-origin"] == SITE, path
        assert asked.headers["access-control-allow-methods"] == "GET"
    missing = await cors.get(f"/v1/players/0x{'ab' * 32}/balance", headers={"Origin": SITE})
    assert missing.status_code == 404 and missing.headers["access-control-allow-origin"] == SITE


async def test_another_origin_is_refused(cors: httpx.AsyncClient, world: World) -> None:
    path = f"/v1/players/{world.key('alice')}/balance"
    reply = await cors.get(path, headers={"Origin": OTHER})
    assert reply.status_code == 200 and "access-control-allow-origin" not in reply.headers
    asked = await cors.options(path, headers=preflight(OTHER))
    assert asked.status_code == 403 and "access-control-allow-origin" not in asked.headers
    assert asked.json()["error"] == "cors_refused" and "origin" in asked.json()["message"]
    writing = await cors.options(path, headers={**preflight(SITE), "Access-Control-Request-Method": "POST"})
    assert writing.status_code == 403 and "method" in writing.json()["message"]


async def test_audit_and_other_routes_are_not_exposed(cors: httpx.AsyncClient) -> None:
    auth = {"Authorization": f"Bearer {TOKEN}"}
    for path in ("/v1/audit/summary", "/v1/audit/export.csv", "/v1/campaigns", "/metrics"):
        reply = await cors.get(path, headers={"Origin": SITE, **auth})
        assert reply.status_code == 200 and "access-control-allow-origin" not in reply.headers, path
        asked = await cors.options(path, headers=preflight(SITE))
        assert asked.status_code == 405 and "access-control-allow-origin" not in asked.headers, path


async def test_cross_origin_reads_are_off_by_default(client: httpx.AsyncClient, world: World) -> None:
    path = f"/v1/players/{world.key('alice')}/balance"
    reply = await client.get(path, headers={"Origin": SITE})
    assert reply.status_code == 200 and not any(h.startswith("access-control") for h in reply.headers)
    asked = await client.options(path, headers=preflight(SITE))
    assert asked.status_code == 405 and asked.json()["error"] == "method_not_allowed"


def test_any_origin_is_one_star_and_a_bad_origin_is_one_config_error() -> None:
    assert parse_origins("") == () and parse_origins(" , ") == ()
    assert parse_origins("https://a.example,*") == ("*",)
    assert parse_origins("https://A.example:8443, https://a.example:8443") == ("https://a.example:8443",)
    for bad in (
        "casino.example",
        "https://casino.example/",
        "https://casino.example/play",
        "ftp://x",
        "null",
    ):
        with pytest.raises(ConfigError, match="LEDGER_CORS_ORIGINS"):
            parse_origins(bad)


async def test_a_star_lets_every_origin_read_the_player_routes(
    mirror_url: str, world: World, anvil: LocalNode
) -> None:
    app = create_app(settings_for(mirror_url, world, anvil).model_copy(update={"cors_origins": "*"}))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://api.test") as c:
        reply = await c.get(f"/v1/players/{world.key('bob')}/balance", headers={"Origin": OTHER})
        audit = await c.get("/v1/audit/summary", headers={"Origin": OTHER})
    assert reply.headers["access-control-allow-origin"] == "*"
    assert "access-control-allow-origin" not in audit.headers
