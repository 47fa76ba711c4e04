"""`GET /v1/audit/reserves`: the contract's reserves, liability and coverage at the mirror's head,
beside the mirror's summed balances, for a funded and a record-only ledger, behind the audit token."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import httpx
from sqlalchemy.engine import Engine

from api.main import create_app
from ledger.chain.node import LocalNode
from ledger.config import Settings
from ledger.encoding import text_to_bytes
from ledger.ops.entries import record_payout
from tests.api.conftest import TOKEN
from tests.cashout.conftest import CashHarness
from tests.conftest import LedgerHarness, random_player
from tests.indexer.conftest import index

AUTH = {"Authorization": f"Bearer {TOKEN}"}


@asynccontextmanager
async def api(
    url: str, anvil: LocalNode, ledger: LedgerHarness, data: Path
) -> AsyncIterator[httpx.AsyncClient]:
    settings = Settings(
        database_url=url, rpc_url=anvil.url, data_dir=data, api_token=TOKEN,
        contract_address=ledger.client.address,
    )  # fmt: skip
    transport = httpx.ASGITransport(app=create_app(settings))
    async with httpx.AsyncClient(transport=transport, base_url="http://api.test") as client:
        yield client


async def test_a_funded_ledger_shows_its_reserves_liability_and_coverage_at_the_mirrors_head(
    cash: CashHarness, engine: Engine, database_url: str, anvil: LocalNode, tmp_path: Path
) -> None:
    cid, player = cash.campaign(), random_player()
    cash.issue(cid, player, 400_000)
    cash.issue(cid, random_player(), 200_000)
    record_payout(cash.client, cash.sender, player, 50_000, text_to_bytes("paid-off-chain"))
    index(cash, engine)
    head = cash.w3.eth.block_number
    cash.issue(cid, player, 100_000)  # after the mirror's head: not in the answer
    async with api(database_url, anvil, cash, tmp_path) as client:
        for headers in ({}, {"Authorization": "Bearer wrong"}):
            refused = await client.get("/v1/audit/reserves", headers=headers)
            assert refused.status_code == 401 and refused.json()["error"] == "unauthorized"
        reply = await client.get("/v1/audit/reserves", headers=AUTH)
    assert reply.status_code == 200, reply.text
    body = reply.json()
    assert body["token"].lower() == cash.token.address.lower() and body["funded"] is True
    assert (body["reserves"], body["liability"], body["mirror_outstanding"]) == (
        "1000000",
        "550000",
        "550000",
    )
    assert body["coverage"] == "1.818181" and body["mirror_matches"] is True and body["block"] == head
    assert body["reserves_display"] == "1,000,000 points" and body["liability_display"] == "550,000 points"


async def test_a_record_only_ledger_answers_no_token_no_reserves_and_the_liability_of_its_totals(
    ledger: LedgerHarness, engine: Engine, database_url: str, anvil: LocalNode, tmp_path: Path
) -> None:
    async with api(database_url, anvil, ledger, tmp_path) as client:
        index(ledger, engine)
        empty = (await client.get("/v1/audit/reserves", headers=AUTH)).json()
        assert (empty["token"], empty["reserves"], empty["liability"], empty["coverage"]) == (
            None,
            "0",
            "0",
            None,
        )
        player = random_player()
        ledger.issue(ledger.campaign(), player, 700)
        record_payout(ledger.client, ledger.sender, player, 300, text_to_bytes("paid"))
        index(ledger, engine)
        body = (await client.get("/v1/audit/reserves", headers=AUTH)).json()
    assert (body["token"], body["funded"], body["reserves"]) == (None, False, "0")
    assert body["liability"] == str(ledger.client.totals().outstanding) == "400" == body["mirror_outstanding"]
    assert body["coverage"] == "0.000000" and body["mirror_matches"] is True
