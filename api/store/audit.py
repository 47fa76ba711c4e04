"""The auditor's reads: global summary, indexer status, and the CSV export of entries."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

from sqlalchemy import Connection, Engine, Row, func, select

from api.models import StatusPublic, SummaryPublic
from api.store.common import ENTRY_NAMES, ZERO32_HEX, amount_fields, decimal, read_head, readable
from api.store.entries import EntryFilter, Order, entry_page, stream_rows
from api.store.reader import Reader
from ledger.db import tables as t
from ledger.display import Display

# Beside the raw columns (`ENTRY_NAMES`), what a person reads: the campaign, reference and reason
# as text where they decode as text (else empty: the raw column has the hex), the amount in
# display units with its unit, and the block's time in ISO 8601 UTC.
READABLE_COLUMNS = ("campaign", "amount_display", "display_unit", "ref_text", "reason", "block_time_utc")
CSV_COLUMNS = (*ENTRY_NAMES, *READABLE_COLUMNS)
_AMOUNT, _KIND, _CAMPAIGN, _REF, _AUX, _TIME = (
    ENTRY_NAMES.index(name) for name in ("amount", "kind", "campaign_id", "ref", "aux", "block_time")
)
# A spreadsheet runs a cell that starts with one of these as a formula: such text gets a leading
# apostrophe (the raw hex beside it stays exact).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def summary(conn: Connection, display: Display) -> SummaryPublic:
    head = read_head(conn)
    totals = conn.execute(select(t.totals)).first()
    players = conn.execute(select(func.count()).select_from(t.players)).scalar_one()
    campaigns = conn.execute(select(func.count()).select_from(t.campaigns)).scalar_one()
    figures = (totals.issued, totals.paid, totals.reversed, totals.expired) if totals else (0, 0, 0, 0)
    issued, paid, reversed_, expired = figures
    amounts = {
        "issued": issued, "paid": paid, "reversed": reversed_, "expired": expired,
        "outstanding": issued - paid - reversed_ - expired,
    }  # fmt: skip
    return SummaryPublic(
        as_of_block=head.block, entry_count=totals.entry_count if totals else 0,
        head=totals.head if totals else ZERO32_HEX, players=players, campaigns=campaigns,
        chain_id=head.chain_id, contract=head.contract, **amount_fields(amounts, display),
    )  # fmt: skip


async def entries(
    reader: Reader, display: Display, filt: EntryFilter, order: Order, limit: int, cursor: str | None
) -> dict[str, Any]:
    """`EntryPagePublic` fields: a page of entries for auditors (on the hot path: see `reader`)."""
    head, page, next_cursor = await entry_page(reader, display.show, filt, order, limit, cursor)
    head = head or await reader.head()
    return {"order": order, "entries": page, "next_cursor": next_cursor, "as_of_block": head.block}


def indexer_status(conn: Connection) -> Row[Any] | None:
    """What the indexer last reported (None before its first report)."""
    return conn.execute(select(t.status)).first()


def status(conn: Connection, node_block: int | None) -> StatusPublic:
    head = read_head(conn)
    s = indexer_status(conn)
    return StatusPublic(
        chain_id=head.chain_id, contract=head.contract, indexer_block=head.block,
        indexer_block_hash=head.block_hash, finalized_block=head.finalized,
        chain_block=s.chain_block if s else head.block, lag_blocks=s.lag_blocks if s else 0,
        lag_seconds=s.lag_seconds if s else 0.0, rows_written=s.rows_written if s else 0,
        reorgs=s.reorgs if s else 0, last_error=s.last_error if s else None,
        updated_at=s.updated_at if s else 0.0, node_block=node_block,
    )  # fmt: skip


@lru_cache(maxsize=4096)
def _utc(seconds: int) -> str:
    return datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@lru_cache(maxsize=4096)
def _text(value: str | None) -> str:
    """An id, reference or reason as text where it decodes as text; empty otherwise."""
    if value is None or value == ZERO32_HEX:
        return ""
    shown = readable(value)
    if shown == value:
        return ""
    return "'" + shown if shown.startswith(FORMULA_STARTS) else shown


def csv_row(row: Sequence[Any], display: Display) -> list[Any]:
    """One entry's CSV cells: the raw columns (empty for null), then the readable ones."""
    cells = ["" if value is None else value for value in row]
    amount = cells[_AMOUNT] = decimal(row[_AMOUNT])
    kind = row[_KIND]
    reason = _text(row[_AUX]) if kind in ("reversed", "expired") else ""
    return [
        *cells, _text(row[_CAMPAIGN]), display.plain(amount), display.unit, _text(row[_REF]), reason,
        _utc(row[_TIME]),
    ]  # fmt: skip


def csv_chunks(engine: Engine, filt: EntryFilter, display: Display) -> Iterator[str]:
    """The export, header first, a chunk per fetched batch; the connection lives as long as the stream."""
    filt.check()
    with engine.connect() as conn:
        read_head(conn)
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(CSV_COLUMNS)
        for rows in stream_rows(conn, filt):
            writer.writerows([csv_row(row, display) for row in rows])
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
        yield buffer.getvalue()
