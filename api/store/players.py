"""A player's balance, history and entries, read on the hot path (see `reader`).

These return the fields of their public models as plain dicts, serialised without a validation
pass (see `api.deps.raw_json`); the tests validate every answer against the models."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from api.store.common import ENTRY_COLUMNS, ENTRY_WIDTH, decimal, entry_fields
from api.store.entries import EntryFilter, Order, entry_page
from api.store.reader import HEAD_COLUMNS, Head, Reader, head_of
from ledger.display import Display
from ledger.errors import Conflict, NotFound


def _balance_sql(reader: Reader) -> str:
    amounts = ", ".join(reader.amount(f"p.{c}") for c in ("balance", "earned", "paid", "reversed", "expired"))
    return (
        f"SELECT {HEAD_COLUMNS}, p.player, {amounts}, p.entries, p.last_seq, p.last_block "
        "FROM players p WHERE p.player = :player"
    )


async def require_player(reader: Reader, player: str) -> tuple[Head, Sequence[Any]]:
    """The mirror's head and the player's row, read together; 404 for a player with no entries."""
    rows = await reader.rows(_balance_sql(reader), {"player": player})
    if not rows:
        await reader.head()  # 503 rather than 404 while the mirror is still empty
        raise NotFound(f"player {player} has no entries in the mirror")
    return head_of(rows[0][:6]), rows[0][6:]


async def balance(reader: Reader, display: Display, player: str) -> dict[str, Any]:
    """`BalancePublic` fields."""
    head, p = await require_player(reader, player)
    available, earned, paid, reversed_, expired = (decimal(v) for v in p[1:6])
    entries, last_seq, last_block = (int(v) for v in p[6:9])
    show = display.show
    return {
        "player": player, "available": available, "available_display": show(available), "earned": earned,
        "earned_display": show(earned), "paid": paid, "paid_display": show(paid), "reversed": reversed_,
        "reversed_display": show(reversed_), "expired": expired, "expired_display": show(expired),
        "entries": entries, "last_seq": last_seq, "last_entry_block": last_block,
        "as_of_block": head.block, "as_of_block_hash": head.block_hash, "chain_head_block": head.chain_block,
        "confirmations": head.confirmations(head.block), "finalized": last_block <= head.finalized,
        "chain_id": head.chain_id, "contract": head.contract,
    }  # fmt: skip


async def history(
    reader: Reader, display: Display, filt: EntryFilter, order: Order, limit: int, cursor: str | None
) -> dict[str, Any]:
    """`HistoryPublic` fields."""
    assert filt.player is not None
    head, entries, next_cursor = await entry_page(reader, display.show, filt, order, limit, cursor)
    if head is None:
        head, _ = await require_player(reader, filt.player)  # an unknown player is a 404, not an empty page
    return {
        "player": filt.player, "order": order, "entries": entries, "next_cursor": next_cursor,
        "as_of_block": head.block,
    }  # fmt: skip


def _entry_sql(reader: Reader, column: str) -> str:
    return (
        f"SELECT {ENTRY_COLUMNS.format(amount=reader.amount('e.amount'))}, {HEAD_COLUMNS} "
        f"FROM entries e WHERE e.player = :player AND e.{column} = :value ORDER BY e.seq LIMIT 3"
    )


async def _one(
    reader: Reader, display: Display, player: str, column: str, value: object, what: str
) -> dict[str, Any]:
    rows = await reader.rows(_entry_sql(reader, column), {"player": player, "value": value})
    if not rows:
        await require_player(reader, player)
        raise NotFound(f"player {player} has no entry with {what}")
    if len(rows) > 1:
        seqs = ", ".join(str(r[0]) for r in rows)
        raise Conflict(f"{what} names several entries ({seqs}…): ask for one by its sequence number")
    return entry_fields(rows[0], head_of(rows[0][ENTRY_WIDTH:]), display.show)


async def entry_by_seq(reader: Reader, display: Display, player: str, seq: int) -> dict[str, Any]:
    return await _one(reader, display, player, "seq", seq, f"sequence number {seq}")


async def entry_by_ref(reader: Reader, display: Display, player: str, ref: str) -> dict[str, Any]:
    return await _one(reader, display, player, "ref", ref, f"reference {ref}")
