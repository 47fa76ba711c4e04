"""Health, readiness, metrics, OpenAPI, and the API being read-only."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import text, update
from sqlalchemy.exc import DBAPIError

from api.main import create_app, read_only_engine
from ledger.chain.node import LocalNode
from ledger.db import tables as t
from ledger.db.migrate import upgrade
from tests.api.conftest import settings_for
from tests.api.world import World


async def test_health_answers_without_touching_the_mirror(client: httpx.AsyncClient) -> None:
    reply = await client.get("/health")
    assert reply.status_code == 200 and reply.json() == {"status": "ok"}


async def test_ready_reports_the_indexed_block(client: httpx.AsyncClient, world: World) -> None:
    reply = await client.get("/ready")
    assert reply.status_code == 200 and reply.json()["indexer_block"] >= world.deploy_block


async def test_an_empty_mirror_is_not_ready_and_says_why(
    tmp_path: Path, world: World, anvil: LocalNode
) -> None:
    url = f"sqlite:///{tmp_path / 'empty.db'}"
    upgrade(url)
    app = create_app(settings_for(url, world, anvil))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://api.test") as c:
        for path in (
            "/ready",
            f"/v1/players/{world.key('alice')}/balance",
            f"/v1/players/{world.key('alice')}/history",
        ):
            reply = await c.get(path)
            assert reply.status_code == 503 and reply.json()["error"] == "not_ready", path
            assert "indexer has not caught up" in reply.json()["message"]


async def test_a_missing_database_is_a_503_not_a_500(tmp_path: Path, world: World, anvil: LocalNode) -> None:
    app = create_app(settings_for(f"sqlite:///{tmp_path / 'absent' / 'none.db'}", world, anvil))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://api.test") as c:
        for path in ("/ready", f"/v1/players/{world.key('alice')}/balance", "/v1/campaigns"):
            assert (await c.get(path)).status_code == 503, path


async def test_metrics_expose_request_latency_by_route_and_indexer_lag(
    client: httpx.AsyncClient, world: World
) -> None:
    await client.get(f"/v1/players/{world.key('bob')}/balance")
    body = (await client.get("/metrics")).text
    assert (
        'ledger_api_request_duration_seconds_bucket{le="0.005",method="GET",route="/v1/players/{player}/balance",status="200"}'
        in body
    )
    assert "ledger_indexer_lag_blocks " in body and "ledger_indexer_block " in body


async def test_openapi_documents_every_route_under_v1(client: httpx.AsyncClient) -> None:
    spec = (await client.get("/openapi.json")).json()
    assert all(path.startswith("/v1/") or path in ("/health", "/ready", "/metrics") for path in spec["paths"])
    history = spec["paths"]["/v1/players/{player}/history"]["get"]
    assert {p["name"] for p in history["parameters"]} >= {"player", "kind", "cursor", "from_time", "limit"}
    assert (await client.get("/docs")).status_code == 200


async def test_no_route_accepts_a_method_that_could_change_anything(
    client: httpx.AsyncClient, app: FastAPI
) -> None:
    spec = app.openapi()
    # the read routes; the operator API's writes (/v1/operator/, tokens required) are tested in tests/operator
    paths = [path for path in spec["paths"] if not path.startswith("/v1/operator/")]
    assert {method for path in paths for method in spec["paths"][path]} == {"get"}
    for path in paths:
        concrete = (
            path.replace("{player}", "0x" + "ab" * 32).replace("{seq}", "1").replace("{campaign}", "welcome")
        )
        for method in ("POST", "PUT", "PATCH", "DELETE"):
            assert (await client.request(method, concrete)).status_code == 405, (method, path)


async def test_unknown_routes_and_methods_answer_json(client: httpx.AsyncClient) -> None:
    missing = await client.get("/v1/nowhere")
    post = await client.post("/v1/campaigns", json={})
    assert (missing.status_code, missing.json()["error"]) == (404, "not_found")
    assert (post.status_code, post.json()["error"]) == (405, "method_not_allowed")


def test_the_apis_database_connection_refuses_writes(mirror_url: str) -> None:
    engine = read_only_engine(mirror_url)
    try:
        with pytest.raises(DBAPIError), engine.begin() as conn:
            conn.execute(update(t.players).values(balance=0))
        with engine.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM players WHERE balance = 0")).scalar() == 0
    finally:
        engine.dispose()
