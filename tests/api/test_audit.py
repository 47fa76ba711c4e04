"""Audit routes: totals and liability, budget use, entries, CSV export, reconciliation, status, token."""

from __future__ import annotations

import csv
import io
import time
from typing import Any

import httpx
from fastapi import FastAPI
from sqlalchemy import select

from api.main import create_app
from api.models import EntryPagePublic, ReconcilePublic, StatusPublic, SummaryPublic
from api.store.audit import CSV_COLUMNS, csv_chunks, csv_row
from api.store.common import ENTRY_NAMES
from api.store.entries import EntryFilter, stream_rows
from ledger.chain.node import LocalNode
from ledger.db import tables as t
from ledger.db.engine import make_engine
from ledger.display import Display
from tests.api.conftest import TOKEN, settings_for
from tests.api.test_display import by_decimal
from tests.api.world import World
from tests.verify.server import serving

AUTH = {"Authorization": f"Bearer {TOKEN}"}


def entries_sql(url: str, *where: Any) -> list[Any]:
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            return list(conn.execute(select(t.entries).where(*where).order_by(t.entries.c.seq)))
    finally:
        engine.dispose()


async def test_audit_routes_refuse_a_missing_or_wrong_token(client: httpx.AsyncClient) -> None:
    for headers in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": "Basic abc"}):
        reply = await client.get("/v1/audit/summary", headers=headers)
        assert reply.status_code == 401 and reply.json()["error"] == "unauthorized"
        assert reply.headers["www-authenticate"] == "Bearer"


async def test_audit_routes_are_open_when_no_token_is_configured(
    mirror_url: str, world: World, anvil: LocalNode
) -> None:
    app = create_app(settings_for(mirror_url, world, anvil, token=None))
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://api.test"
    ) as open_client:
        assert (await open_client.get("/v1/audit/summary")).status_code == 200


async def test_summary_totals_and_liability_equal_the_contract(
    client: httpx.AsyncClient, auth: dict[str, str], world: World
) -> None:
    summary = SummaryPublic.model_validate((await client.get("/v1/audit/summary", headers=auth)).json())
    totals = world.client.totals(block=summary.as_of_block)
    count, head = world.client.chain_state(block=summary.as_of_block)
    assert [int(summary.issued), int(summary.paid), int(summary.reversed), int(summary.expired)] == [
        totals.issued,
        totals.paid,
        totals.reversed,
        totals.expired,
    ]
    assert int(summary.outstanding) == totals.outstanding
    assert (summary.entry_count, summary.head) == (count, "0x" + head.hex())
    assert (summary.players, summary.campaigns) == (4, 3)


async def test_campaign_budget_use_in_percent(client: httpx.AsyncClient, auth: dict[str, str]) -> None:
    reply = await client.get("/v1/audit/campaigns", headers=auth)
    use = {c["name"]: (c["issued"], c["remaining"], c["used_percent"]) for c in reply.json()["campaigns"]}
    assert use["unkept"] == ("7", str(10**24 - 7), "0.00")


async def test_entries_filter_by_sender_kind_campaign_player_and_blocks(
    client: httpx.AsyncClient, auth: dict[str, str], world: World, mirror_url: str
) -> None:
    async def seqs(**params: Any) -> list[int]:
        page = EntryPagePublic.model_validate(
            (await client.get("/v1/audit/entries", params={"limit": 1000, **params}, headers=auth)).json()
        )
        return [e.seq for e in page.entries]

    c = t.entries.c
    assert await seqs(kind="reversed") == [r.seq for r in entries_sql(mirror_url, c.kind == "reversed")]
    assert await seqs(campaign="unkept") == [
        r.seq for r in entries_sql(mirror_url, c.campaign_id == "0x" + world.campaigns["unkept"].hex())
    ]
    assert (
        await seqs(player=world.key("bob"), order="desc")
        == [r.seq for r in entries_sql(mirror_url, c.player == world.key("bob"))][::-1]
    )
    assert len(await seqs(sender=world.operator)) == 1000
    assert await seqs(sender="0x" + "11" * 20) == []
    assert await seqs(from_block=1, to_block=9) == [
        r.seq for r in entries_sql(mirror_url, c.block_number.between(1, 9))
    ]


async def test_csv_export_equals_the_sql_rows(
    client: httpx.AsyncClient, auth: dict[str, str], mirror_url: str
) -> None:
    reply = await client.get("/v1/audit/export.csv", headers=auth)
    assert reply.status_code == 200 and reply.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(reply.text)))
    expected = entries_sql(mirror_url)
    assert len(rows) == len(expected) > 3000
    for got, row in zip(rows, expected, strict=True):
        assert got["seq"] == str(row.seq) and got["amount"] == str(row.amount) and got["head"] == row.head
        assert got["tx_hash"] == row.tx_hash and got["batch_index"] == (
            "" if row.batch_index is None else str(row.batch_index)
        )


async def test_csv_export_takes_the_same_filters(
    client: httpx.AsyncClient, auth: dict[str, str], mirror_url: str
) -> None:
    reply = await client.get("/v1/audit/export.csv", params={"kind": "paid"}, headers=auth)
    rows = list(csv.DictReader(io.StringIO(reply.text)))
    assert [r["seq"] for r in rows] == [
        str(r.seq) for r in entries_sql(mirror_url, t.entries.c.kind == "paid")
    ]


async def test_reconciliation_at_the_mirrors_head_passes(
    client: httpx.AsyncClient, auth: dict[str, str]
) -> None:
    report = ReconcilePublic.model_validate((await client.get("/v1/audit/reconcile", headers=auth)).json())
    assert report.ok and report.differences == [] and report.chain_head == report.mirror_head
    assert report.report[0].startswith("PASS")
    assert report.first_divergent_row is None and report.first_divergent_seq is None
    # every entry's row, and at least one event row and one block row besides
    assert report.rows_checked >= report.chain_entries + 2
    assert f"checked {report.rows_checked} rows" in report.report[1]


async def test_status_reports_indexer_head_chain_head_and_lag(
    client: httpx.AsyncClient, auth: dict[str, str], world: World
) -> None:
    status = StatusPublic.model_validate((await client.get("/v1/audit/status", headers=auth)).json())
    assert status.node_block == world.w3.eth.block_number
    assert status.indexer_block <= status.chain_block and status.lag_blocks >= 0 and status.last_error is None


def text_of(value: str | None) -> str:
    """An id, reference or reason as printable ASCII text where it is one (the world's all are)."""
    raw = bytes.fromhex(value[2:]).rstrip(b"\0") if value else b""
    return raw.decode() if raw and raw.isascii() and raw.decode().isprintable() else ""


async def test_csv_export_reads_in_plain_words_beside_the_raw_columns(
    euro: httpx.AsyncClient, mirror_url: str, world: World
) -> None:
    reply = await euro.get("/v1/audit/export.csv")
    rows = list(csv.DictReader(io.StringIO(reply.text)))
    assert list(rows[0])[-6:] == [
        "campaign",
        "amount_display",
        "display_unit",
        "ref_text",
        "reason",
        "block_time_utc",
    ]
    names = {"0x" + cid.hex(): name for name, cid in world.campaigns.items()}
    expected = entries_sql(mirror_url)
    for got, row in zip(rows, expected, strict=True):
        reason = text_of(row.aux) if row.kind in ("reversed", "expired") else ""
        assert (got["campaign"], got["ref_text"], got["reason"]) == (
            names.get(row.campaign_id or "", ""), text_of(row.ref), reason,
        )  # fmt: skip
        assert (got["amount_display"], got["display_unit"]) == (by_decimal(row.amount, 2, False), "EUR")
        assert got["block_time_utc"] == time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(row.block_time))
    reasons = {r["reason"] for r in rows if r["kind"] in ("reversed", "expired")}
    assert reasons == {"fraud", "inactive"} and {r["campaign"] for r in rows} >= {"welcome", "summer"}


def test_csv_export_is_streamed_a_batch_at_a_time(app: FastAPI, mirror_url: str) -> None:
    total = len(entries_sql(mirror_url))
    engine = make_engine(mirror_url)
    try:
        with engine.connect() as conn:
            sizes = [len(rows) for rows in stream_rows(conn, EntryFilter(), batch=1000)]
        chunks = [chunk for chunk in csv_chunks(engine, EntryFilter(), Display("EUR", 2)) if chunk]
    finally:
        engine.dispose()
    assert sizes == [1000] * (total // 1000) + ([total % 1000] if total % 1000 else []) and len(sizes) >= 3
    assert len(chunks) >= 2 and sum(chunk.count("\n") for chunk in chunks) == total + 1
    with serving(app) as base, httpx.stream("GET", f"{base}/v1/audit/export.csv", headers=AUTH) as reply:
        assert reply.headers["transfer-encoding"] == "chunked" and "content-length" not in reply.headers
        assert sum(chunk.count(b"\n") for chunk in reply.iter_bytes()) == total + 1


def test_csv_text_that_a_spreadsheet_would_run_is_defused() -> None:
    def hex32(text: str) -> str:
        return "0x" + text.encode().ljust(32, b"\0").hex()

    values = {name: "" for name in ENTRY_NAMES}
    values.update(
        kind="reversed", campaign_id=hex32("+cmd|' /C calc'!A0"), amount="000150", ref=hex32("=HYPERLINK(1)"),
        aux=hex32("@SUM(A1)"), block_time=0,
    )  # fmt: skip
    cells = dict(
        zip(CSV_COLUMNS, csv_row([values[name] for name in ENTRY_NAMES], Display("EUR", 2)), strict=True)
    )
    assert (cells["campaign"], cells["ref_text"], cells["reason"]) == (
        "'+cmd|' /C calc'!A0",
        "'=HYPERLINK(1)",
        "'@SUM(A1)",
    )
    assert (cells["amount"], cells["amount_display"], cells["block_time_utc"]) == (
        "150",
        "1.50",
        "1970-01-01T00:00:00Z",
    )
    assert cells["ref"] == values["ref"]  # the raw column stays exact
