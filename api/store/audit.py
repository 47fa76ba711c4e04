"""The auditor's reads: global summary, indexer status, and the CSV export of entries."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from typing import Any

from sqlalchemy import Connection, Engine, func, select

from api.models import StatusPublic, SummaryPublic
from api.store.common import ZERO32_HEX, read_head
from api.store.entries import CSV_FIELDS, EntryFilter, Order, entry_page, read_head_raw, stream_rows
from api.store.reader import Reader
from ledger.db import tables as t


def summary(conn: Connection) -> SummaryPublic:
    head = read_head(conn)
    totals = conn.execute(select(t.totals)).first()
    players = conn.execute(select(func.count()).select_from(t.players)).scalar_one()
    campaigns = conn.execute(select(func.count()).select_from(t.campaigns)).scalar_one()
    figures = (totals.issued, totals.paid, totals.reversed, totals.expired) if totals else (0, 0, 0, 0)
    issued, paid, reversed_, expired = figures
    return SummaryPublic(
        as_of_block=head.block, entry_count=totals.entry_count if totals else 0,
        head=totals.head if totals else ZERO32_HEX,
        issued=str(issued), paid=str(paid), reversed=str(reversed_), expired=str(expired),
        outstanding=str(issued - paid - reversed_ - expired), players=players, campaigns=campaigns,
        chain_id=head.chain_id, contract=head.contract,
    )  # fmt: skip


async def entries(
    reader: Reader, filt: EntryFilter, order: Order, limit: int, cursor: str | None
) -> dict[str, Any]:
    """`EntryPagePublic` fields: a page of entries for auditors (on the hot path: see `reader`)."""
    head, page, next_cursor = await entry_page(reader, filt, order, limit, cursor)
    head = head or await read_head_raw(reader)
    return {"order": order, "entries": page, "next_cursor": next_cursor, "as_of_block": head.block}


def status(conn: Connection, node_block: int | None) -> StatusPublic:
    head = read_head(conn)
    c = conn.execute(select(t.cursor)).one()
    s = conn.execute(select(t.status)).first()
    return StatusPublic(
        chain_id=head.chain_id, contract=head.contract, indexer_block=c.last_block,
        indexer_block_hash=c.last_block_hash, finalized_block=c.finalized_block,
        chain_block=s.chain_block if s else c.last_block, lag_blocks=s.lag_blocks if s else 0,
        lag_seconds=s.lag_seconds if s else 0.0, rows_written=s.rows_written if s else 0,
        reorgs=s.reorgs if s else 0, last_error=s.last_error if s else None,
        updated_at=s.updated_at if s else 0.0, node_block=node_block,
    )  # fmt: skip


def csv_chunks(engine: Engine, filt: EntryFilter) -> Iterator[str]:
    """The export, header first, a chunk per fetched batch; the connection lives as long as the stream."""
    filt.check()
    with engine.connect() as conn:
        read_head(conn)
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(CSV_FIELDS)
        for rows in stream_rows(conn, filt):
            writer.writerows([["" if v is None else v for v in row] for row in rows])
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
        yield buffer.getvalue()
