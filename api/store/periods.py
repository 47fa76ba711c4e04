"""Committed reward periods from the mirror's events: what each committed, what its batches have
issued so far, and whether it is still open (issued short of the committed total)."""

from __future__ import annotations

import json
from typing import Any, Literal

from sqlalchemy import JSON, ColumnElement, Connection, cast, select, type_coerce
from sqlalchemy.dialects.postgresql import JSONB

from api.models import PeriodListPublic, PeriodPublic
from api.store.common import amount_fields, decode_seq_cursor, encode_cursor, read_head, readable
from ledger.db import tables as t
from ledger.display import Display

CURSOR_TAG = "p"
PeriodStatus = Literal["open", "closed", "all"]
_CHUNK = 200  # commitments read at a time while a status filter looks for a page


def _period_id(conn: Connection) -> ColumnElement[str]:
    """The event's `periodId` (0x-hex text) in SQL: `data` is JSON text on both databases."""
    doc = (
        cast(t.events.c.data, JSONB)
        if conn.dialect.name == "postgresql"
        else type_coerce(t.events.c.data, JSON)
    )
    period: ColumnElement[str] = doc["periodId"].as_string()
    return period


def issued_by_period(conn: Connection, periods: list[str]) -> dict[str, int]:
    """What each period's batches issued in all: the `issued` figure of its latest PeriodBatchIssued."""
    if not periods:
        return {}
    query = (
        select(t.events.c.data)
        .where(t.events.c.name == "PeriodBatchIssued", _period_id(conn).in_(periods))
        .order_by(t.events.c.id)
    )
    issued: dict[str, int] = {}
    for data in conn.execute(query).scalars():
        fields = json.loads(data)
        issued[fields["periodId"]] = max(issued.get(fields["periodId"], 0), int(fields["issued"]))
    return issued


def _fields(row: Any, issued: int, display: Display) -> dict[str, Any]:
    data = json.loads(row.data)
    total = int(data["total"])
    amounts = {"total": total, "issued": issued, "remaining": max(0, total - issued)}
    return dict(
        period_id=data["periodId"], name=readable(data["periodId"]), campaign_id=data["campaignId"],
        rules_hash=data["rulesHash"], root=data["root"], leaf_count=int(data["leafCount"]),
        **amount_fields(amounts, display), status="open" if issued < total else "closed",
        committed_block=row.block_number, committed_tx=row.tx_hash,
    )  # fmt: skip


def period_list(
    conn: Connection, display: Display, status: PeriodStatus, limit: int, cursor: str | None
) -> PeriodListPublic:
    """Committed periods in commit order, `limit` a page, keyset-paged on the event's row id."""
    head = read_head(conn)
    after = decode_seq_cursor(cursor, CURSOR_TAG) if cursor else 0
    found: list[tuple[int, dict[str, Any]]] = []
    while len(found) <= limit:
        query = (
            select(t.events.c.id, t.events.c.data, t.events.c.block_number, t.events.c.tx_hash)
            .where(t.events.c.name == "PeriodCommitted", t.events.c.id > after)
            .order_by(t.events.c.id)
            .limit(_CHUNK)
        )
        rows = conn.execute(query).all()
        issued = issued_by_period(conn, [json.loads(r.data)["periodId"] for r in rows])
        for row in rows:
            fields = _fields(row, issued.get(json.loads(row.data)["periodId"], 0), display)
            if status in ("all", fields["status"]):
                found.append((row.id, fields))
        if len(rows) < _CHUNK:
            break
        after = rows[-1].id
    more = len(found) > limit
    page = found[:limit]
    return PeriodListPublic(
        periods=[PeriodPublic(**fields) for _, fields in page],
        next_cursor=encode_cursor(CURSOR_TAG, page[-1][0]) if more else None,
        as_of_block=head.block,
    )
