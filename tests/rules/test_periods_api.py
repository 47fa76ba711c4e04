"""`GET /v1/audit/periods` on SQLite and PostgreSQL: a committed period whose batches fall short of
its total shows open with what remains, a fully paid one closed; the status filter, paging and
refusals."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import Engine

from api.main import create_app
from ledger.chain.node import LocalNode
from ledger.config import Settings
from tests.conftest import LedgerHarness
from tests.indexer.conftest import index
from tests.rules.world import Period, make_period

TOKEN = "periods-audit-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}


@pytest.fixture
async def periods(
    ledger: LedgerHarness, engine: Engine, anvil: LocalNode, tmp_path: Path
) -> AsyncIterator[tuple[httpx.AsyncClient, Period, Period]]:
    """Week 1 committed and partly paid (three of its rows); week 2 committed and fully paid."""
    short, paid = make_period(ledger, "week-1"), make_period(ledger, "week-2")
    short.commit()
    short.pay(short.honest_rows()[:3])
    paid.commit()
    paid.pay(paid.honest_rows())
    index(ledger, engine)
    settings = Settings(
        database_url=engine.url.render_as_string(hide_password=False), rpc_url=anvil.url,
        data_dir=tmp_path, contract_address=ledger.client.address, api_token=TOKEN,  # type: ignore[arg-type]
        display_unit="EUR", display_decimals=2,
    )  # fmt: skip
    transport = httpx.ASGITransport(app=create_app(settings))
    async with httpx.AsyncClient(transport=transport, base_url="http://api.test") as client:
        yield client, short, paid


async def test_a_short_period_is_open_with_its_remainder_and_a_paid_one_closed(
    periods: tuple[httpx.AsyncClient, Period, Period],
) -> None:
    client, short, paid = periods
    reply = await client.get("/v1/audit/periods", headers=AUTH)
    assert reply.status_code == 200, reply.text
    body = reply.json()
    assert [p["name"] for p in body["periods"]] == ["week-1", "week-2"] and body["next_cursor"] is None
    first, second = body["periods"]
    issued = sum(row.amount for row in short.honest_rows()[:3])
    total = short.result.total
    assert 0 < issued < total
    assert first["status"] == "open" and first["total"] == str(total)
    assert first["issued"] == str(issued) and first["remaining"] == str(total - issued)
    assert first["remaining_display"] == f"{(total - issued) / 100:,.2f} EUR"
    assert first["campaign_id"] == "0x" + short.campaign.hex()
    assert first["rules_hash"] == "0x" + short.rules.hash.hex()
    assert first["root"] == "0x" + short.result.root.hex()
    assert first["leaf_count"] == len(short.result.leaves)
    assert first["committed_block"] > 0 and first["committed_tx"].startswith("0x")
    assert second["status"] == "closed" and second["remaining"] == "0"
    assert second["issued"] == second["total"] == str(paid.result.total)


async def test_the_status_filter_and_pages(periods: tuple[httpx.AsyncClient, Period, Period]) -> None:
    client, _, _ = periods
    open_ = (await client.get("/v1/audit/periods?status=open", headers=AUTH)).json()["periods"]
    closed = (await client.get("/v1/audit/periods?status=closed", headers=AUTH)).json()["periods"]
    assert [p["name"] for p in open_] == ["week-1"] and [p["name"] for p in closed] == ["week-2"]
    page = (await client.get("/v1/audit/periods?limit=1", headers=AUTH)).json()
    assert [p["name"] for p in page["periods"]] == ["week-1"] and page["next_cursor"]
    rest = (await client.get(f"/v1/audit/periods?limit=1&cursor={page['next_cursor']}", headers=AUTH)).json()
    assert [p["name"] for p in rest["periods"]] == ["week-2"] and rest["next_cursor"] is None


@pytest.mark.parametrize(
    ("query", "status", "words"),
    [
        ("status=pending", 422, "status"),
        ("limit=0", 422, "limit"),
        ("cursor=bm90LWEtY3Vyc29y", 400, "cursor"),
    ],
)
async def test_bad_input_is_a_4xx_json_answer(
    periods: tuple[httpx.AsyncClient, Period, Period], query: str, status: int, words: str
) -> None:
    client, _, _ = periods
    reply = await client.get(f"/v1/audit/periods?{query}", headers=AUTH)
    assert reply.status_code == status and words in reply.json()["message"], reply.text
    assert (await client.get("/v1/audit/periods")).status_code == 401
