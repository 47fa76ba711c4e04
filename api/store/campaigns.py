"""Campaigns from the mirror: budget, use, window and terms; and the audit's budget use."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Row, select

from api.models import CampaignListPublic, CampaignPublic, CampaignUseListPublic, CampaignUsePublic
from api.store.common import amount_fields, decode_cursor, encode_cursor, read_head
from ledger.db import tables as t
from ledger.display import Display
from ledger.encoding import bytes_to_text
from ledger.errors import NotFound
from ledger.terms import terms_path

CURSOR_TAG = "c"


def _fields(row: Row[Any], terms_dir: Path, display: Display) -> dict[str, Any]:
    terms_hash = bytes.fromhex(row.terms_hash[2:])
    amounts = {
        "budget": row.budget, "issued": row.issued, "reversed": row.reversed,
        "remaining": max(0, row.budget - row.issued),
    }  # fmt: skip
    return dict(
        campaign_id=row.campaign_id, name=bytes_to_text(bytes.fromhex(row.campaign_id[2:])),
        **amount_fields(amounts, display), start_time=row.start_time, end_time=row.end_time,
        closed=row.closed, terms_hash=row.terms_hash, terms_available=terms_path(terms_dir, terms_hash).exists(),
        created_block=row.created_block, created_tx=row.created_tx,
    )  # fmt: skip


def used_percent(issued: int, budget: int) -> str:
    if budget == 0:
        return "0.00"
    hundredths = issued * 10_000 // budget
    return f"{hundredths // 100}.{hundredths % 100:02d}"


def _page(conn: Connection, limit: int, cursor: str | None) -> tuple[list[Row[Any]], str | None]:
    read_head(conn)
    query = select(t.campaigns).order_by(t.campaigns.c.campaign_id)
    if cursor:
        query = query.where(t.campaigns.c.campaign_id > decode_cursor(cursor, CURSOR_TAG))
    rows = list(conn.execute(query.limit(limit + 1)).all())
    more = len(rows) > limit
    rows = rows[:limit]
    return rows, encode_cursor(CURSOR_TAG, rows[-1].campaign_id) if more else None


def campaign_list(
    conn: Connection, terms_dir: Path, display: Display, limit: int, cursor: str | None
) -> CampaignListPublic:
    rows, next_cursor = _page(conn, limit, cursor)
    return CampaignListPublic(
        campaigns=[CampaignPublic(**_fields(r, terms_dir, display)) for r in rows], next_cursor=next_cursor
    )


def campaign_use(
    conn: Connection, terms_dir: Path, display: Display, limit: int, cursor: str | None
) -> CampaignUseListPublic:
    rows, next_cursor = _page(conn, limit, cursor)
    items = [
        CampaignUsePublic(**_fields(r, terms_dir, display), used_percent=used_percent(r.issued, r.budget))
        for r in rows
    ]
    return CampaignUseListPublic(campaigns=items, next_cursor=next_cursor)


def campaign_row(conn: Connection, campaign_id: str) -> Row[Any]:
    read_head(conn)
    row = conn.execute(select(t.campaigns).where(t.campaigns.c.campaign_id == campaign_id)).first()
    if row is None:
        raise NotFound(f"campaign {campaign_id} is not in the mirror")
    return row


def campaign_detail(conn: Connection, terms_dir: Path, display: Display, campaign_id: str) -> CampaignPublic:
    return CampaignPublic(**_fields(campaign_row(conn, campaign_id), terms_dir, display))
