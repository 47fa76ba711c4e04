"""Pages of ledger entries: keyset pagination on `seq` with filters, for players and auditors.

A page asks for one row more than it returns: that row's presence is how it knows a next page
exists, without a COUNT. Statements are built once per combination of filters and cached.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, fields
from functools import lru_cache
from typing import Any, Literal

from sqlalchemy import Connection, Row, text

from api.store.common import ENTRY_COLUMNS, ENTRY_WIDTH, decode_seq_cursor, encode_cursor, entry_fields
from api.store.reader import HEAD_COLUMNS, Head, Reader, amount_sql, head_of
from ledger.errors import InputError

Order = Literal["asc", "desc"]
Show = Callable[[str], str]

# Filter field -> its SQL condition (on `entries e`): the one statement of each filter, for the
# hot listings and the CSV export alike.
CONDITIONS = {
    "player": "e.player = :player", "kind": "e.kind = :kind", "campaign": "e.campaign_id = :campaign",
    "sender": "e.sender = :sender", "from_block": "e.block_number >= :from_block",
    "to_block": "e.block_number <= :to_block", "from_time": "e.block_time >= :from_time",
    "to_time": "e.block_time <= :to_time",
}  # fmt: skip


@dataclass(frozen=True)
class EntryFilter:
    """Which entries a listing wants; every field set narrows it."""

    player: str | None = None
    kind: str | None = None
    campaign: str | None = None
    sender: str | None = None
    from_block: int | None = None
    to_block: int | None = None
    from_time: int | None = None
    to_time: int | None = None

    def check(self) -> None:
        if self.from_block is not None and self.to_block is not None and self.from_block > self.to_block:
            raise InputError(f"from_block {self.from_block} is after to_block {self.to_block}")
        if self.from_time is not None and self.to_time is not None and self.from_time > self.to_time:
            raise InputError("from_time is after to_time")

    def params(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in fields(self) if getattr(self, f.name) is not None}


def entries_sql(amount: str, names: tuple[str, ...], order: Order, after: bool, head: bool) -> str:
    """The one statement shape of every entry listing: `ENTRY_COLUMNS` (and, with `head`, the
    mirror's head beside them) of the entries matching the `names` conditions, by `seq`."""
    where = [CONDITIONS[name] for name in names]
    if after:
        where.append("e.seq > :after" if order == "asc" else "e.seq < :after")
    columns = ENTRY_COLUMNS.format(amount=amount) + (f", {HEAD_COLUMNS}" if head else "")
    return (
        f"SELECT {columns} FROM entries e"
        f"{' WHERE ' + ' AND '.join(where) if where else ''} ORDER BY e.seq {order.upper()}"
    )


@lru_cache(maxsize=1024)
def _page_sql(amount: str, names: tuple[str, ...], order: Order, after: bool) -> str:
    return entries_sql(amount, names, order, after, head=True) + " LIMIT :limit"


def _tag(order: Order) -> str:
    return f"e{order[0]}"


async def entry_page(
    reader: Reader, show: Show, filt: EntryFilter, order: Order, limit: int, cursor: str | None
) -> tuple[Head | None, list[dict[str, Any]], str | None]:
    """Up to `limit` entries after `cursor`, the head they were read at (None if none matched), and
    the cursor of the next page (None on the last); `show` writes amounts for people."""
    filt.check()
    params = filt.params()
    if cursor:
        params["after"] = decode_seq_cursor(cursor, _tag(order))
    params["limit"] = limit + 1
    sql = _page_sql(
        reader.amount("e.amount"), tuple(k for k in CONDITIONS if k in params), order, "after" in params
    )
    rows = await reader.rows(sql, params)
    if not rows:
        return None, [], None
    head = head_of(rows[0][ENTRY_WIDTH:])
    entries = [entry_fields(row, head, show) for row in rows[:limit]]
    return head, entries, encode_cursor(_tag(order), entries[-1]["seq"]) if len(rows) > limit else None


def stream_rows(conn: Connection, filt: EntryFilter, batch: int = 2000) -> Iterator[Sequence[Row[Any]]]:
    """Every matching entry (`ENTRY_NAMES`, the amount as decimal text), oldest first, in lists of
    `batch` rows, read with a server-side cursor."""
    filt.check()
    params = filt.params()
    amount = amount_sql("e.amount", conn.dialect.name == "postgresql")
    sql = entries_sql(amount, tuple(k for k in CONDITIONS if k in params), "asc", False, head=False)
    # A server-side cursor, read `batch` rows at a time (a textual statement takes no `yield_per`).
    yield from conn.execution_options(stream_results=True).execute(text(sql), params).partitions(batch)
