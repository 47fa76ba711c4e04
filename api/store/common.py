"""What the mirror's reads share: page cursors, and entry rows as the public model.

Cursors are opaque to clients: base64 of a tag naming the listing and order, and the position
after which the next page starts. A cursor from another listing or order is refused (400).
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Sequence
from functools import lru_cache
from typing import Any

from sqlalchemy import Connection, select

from api.store.reader import Head
from ledger.db import tables as t
from ledger.encoding import bytes_to_text
from ledger.errors import InputError, NotReady

ZERO32_HEX = "0x" + "00" * 32
MAX_INT64 = 2**63 - 1
EVENTS = {
    "paid": "PayoutRecorded",
    "reversed": "RewardReversed",
    "expired": "BalanceExpired",
}

# The entry columns of the hot statements, in the order `entry_public` reads them.
ENTRY_COLUMNS = (
    "e.seq, e.kind, e.player, e.campaign_id, {amount}, e.ref, e.aux, e.reward_seq, e.batch_id, e.batch_index, "
    "e.head, e.block_number, e.block_hash, e.block_time, e.tx_hash, e.log_index, e.sender"
)
ENTRY_WIDTH = 17


def read_head(conn: Connection) -> Head:
    """The mirror's head through SQLAlchemy (the non-hot routes); `NotReady` before the first range."""
    c, s = t.cursor.c, t.status.c
    row = conn.execute(
        select(
            c.chain_id, c.contract, c.last_block, c.last_block_hash, c.finalized_block, s.chain_block
        ).select_from(t.cursor.outerjoin(t.status, s.id == c.id))
    ).first()
    if row is None:
        raise NotReady("the mirror is empty: the indexer has not caught up yet")
    return Head(row[0], row[1], row[2], row[3], row[4], max(row[2], row[5] or 0))


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


def entry_fields(row: Sequence[Any], head: Head) -> dict[str, Any]:
    """One entry (a row of `ENTRY_COLUMNS`) as `EntryPublic` fields, with its proof of place.

    Hot: plain dicts, serialised once by the route (`api.deps.raw_json`)."""
    (seq, kind, player, campaign, amount, ref, aux, reward_seq, batch_id, batch_index,
     chain_head, block, block_hash, block_time, tx_hash, log_index, sender) = row[:ENTRY_WIDTH]  # fmt: skip
    batch = kind == "issued" and batch_id is not None and batch_id != ZERO32_HEX
    if campaign == ZERO32_HEX:
        campaign = None
    return {
        "seq": seq, "kind": kind, "player": player, "campaign_id": campaign,
        "campaign": readable(campaign) if campaign else None, "amount": str(amount).lstrip("0") or "0",
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
