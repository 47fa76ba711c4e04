"""What the mirror's reads share: page cursors, and entry rows as the public model.

Cursors are opaque to clients: base64 of a tag naming the listing and order, and the position
after which the next page starts. A cursor from another listing or order is refused (400).
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable, Sequence
from functools import lru_cache
from typing import Any

from sqlalchemy import Connection, text

from api.store.reader import HEAD_SQL, Head, head_of
from ledger.display import Display
from ledger.encoding import bytes_to_text
from ledger.errors import InputError

ZERO32_HEX = "0x" + "00" * 32
MAX_INT64 = 2**63 - 1
EVENTS = {
    "paid": "PayoutRecorded",
    "reversed": "RewardReversed",
    "expired": "BalanceExpired",
}

# Every column an entry read takes, in this order: the hot statements, the CSV export and
# `entry_fields` all follow it. `{amount}` is the amount column as decimal text (`amount_sql`).
ENTRY_NAMES = (
    "seq", "kind", "player", "campaign_id", "amount", "ref", "aux", "reward_seq", "batch_id", "batch_index",
    "head", "block_number", "block_hash", "block_time", "tx_hash", "log_index", "sender",
)  # fmt: skip
ENTRY_WIDTH = len(ENTRY_NAMES)
ENTRY_COLUMNS = ", ".join("{amount}" if name == "amount" else f"e.{name}" for name in ENTRY_NAMES)


def read_head(conn: Connection) -> Head:
    """The mirror's head through SQLAlchemy (the routes off the hot path), read by the same
    statement as the hot path's (`HEAD_SQL`); `NotReady` before the indexer's first range."""
    return head_of(conn.execute(text(HEAD_SQL)).one())


def encode_cursor(tag: str, value: str | int) -> str:
    return base64.urlsafe_b64encode(f"{tag}:{value}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str, tag: str) -> str:
    """The position inside `cursor`; `InputError` unless this kind of listing made it."""
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode("ascii")
    except (binascii.Error, ValueError, UnicodeDecodeError):
        raise InputError(f"cursor {cursor!r} is malformed: pass a next_cursor exactly as returned") from None
    found, _, value = text.partition(":")
    if found != tag or not value:
        raise InputError(f"cursor {cursor!r} is not from this listing (or its order): start again without it")
    return value


def decode_seq_cursor(cursor: str, tag: str) -> int:
    value = decode_cursor(cursor, tag)
    if not value.isdigit() or not value.isascii() or int(value) > MAX_INT64:
        raise InputError(f"cursor {cursor!r} is malformed: pass a next_cursor exactly as returned")
    return int(value)


@lru_cache(maxsize=4096)
def readable(value: str) -> str:
    """An id or reference as text when it is text, else its 0x-hex."""
    return bytes_to_text(bytes.fromhex(value[2:]))


def decimal(value: Any) -> str:
    """A stored uint256 (zero-padded text on SQLite, text on PostgreSQL) as plain decimal."""
    return str(value).lstrip("0") or "0"


def amount_fields(amounts: dict[str, int], display: Display) -> dict[str, str]:
    """Each amount as its decimal string, and beside it `<name>_display` for people."""
    fields: dict[str, str] = {}
    for name, value in amounts.items():
        fields[name] = str(value)
        fields[f"{name}_display"] = display.text(value)
    return fields


def entry_fields(row: Sequence[Any], head: Head, show: Callable[[str], str]) -> dict[str, Any]:
    """One entry (a row of `ENTRY_COLUMNS`) as `EntryPublic` fields, with its proof of place;
    `show` writes an amount for people (`Display.show`).

    Hot: plain dicts, serialised once by the route (`api.deps.raw_json`)."""
    (seq, kind, player, campaign, amount, ref, aux, reward_seq, batch_id, batch_index,
     chain_head, block, block_hash, block_time, tx_hash, log_index, sender) = row[:ENTRY_WIDTH]  # fmt: skip
    batch = kind == "issued" and batch_id is not None and batch_id != ZERO32_HEX
    if campaign == ZERO32_HEX:
        campaign = None
    amount = str(amount).lstrip("0") or "0"
    return {
        "seq": seq, "kind": kind, "player": player, "campaign_id": campaign,
        "campaign": readable(campaign) if campaign else None, "amount": amount, "amount_display": show(amount),
        "ref": ref, "ref_text": readable(ref), "aux": aux, "reward_seq": reward_seq,
        "batch_id": batch_id if batch else None, "block_time": block_time, "sender": sender,
        "confirmations": max(0, head.chain_block - block + 1), "finalized": block <= head.finalized,
        "verification": {
            "chain_id": head.chain_id, "contract": head.contract, "tx_hash": tx_hash, "block_number": block,
            "block_hash": block_hash, "log_index": log_index, "seq": seq, "head": chain_head,
            "event": ("BatchIssued" if batch else "RewardIssued") if kind == "issued" else EVENTS[kind],
            "batch_index": batch_index if batch else None,
        },
    }  # fmt: skip
