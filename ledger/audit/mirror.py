"""The mirror's entries folded up to a block: hash-chain head, checkpoints and derived aggregates."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, select

from ledger.db import tables as t
from ledger.hashchain import ZERO32, Entry, EntryKind, fold
from ledger.indexer.transform import KIND_NAMES

KINDS = {name: kind for kind, name in KIND_NAMES.items()}
FIELDS = ("balance", "earned", "paid", "reversed", "expired", "entries")


@dataclass(frozen=True)
class Checkpoint:
    block: int
    count: int  # entries folded up to and including this block
    head: bytes


@dataclass
class MirrorFold:
    block: int
    start_block: int
    count: int = 0
    head: bytes = ZERO32
    checkpoints: list[Checkpoint] = field(default_factory=list)
    players: dict[str, dict[str, int]] = field(
        default_factory=lambda: defaultdict(lambda: dict.fromkeys(FIELDS, 0))
    )
    campaigns: dict[str, list[int]] = field(default_factory=lambda: defaultdict(lambda: [0, 0]))
    totals: dict[str, int] = field(default_factory=lambda: dict.fromkeys(KINDS, 0))


def entry_of(row: Any) -> Entry:
    """The hashed fields of an `entries` row."""
    return Entry(
        row.seq,
        KINDS[row.kind],
        bytes.fromhex(row.campaign_id[2:]) if row.campaign_id else ZERO32,
        bytes.fromhex(row.player[2:]),
        row.amount,
        bytes.fromhex(row.ref[2:]),
        bytes.fromhex(row.aux[2:]),
    )


def fold_mirror(conn: Connection, block: int) -> MirrorFold:
    """Folds every mirrored entry up to `block`, in sequence order, as the contract did."""
    start = conn.execute(select(t.cursor.c.start_block)).scalar_one()
    result = MirrorFold(block=block, start_block=start)
    e = t.entries.c
    query = (
        select(e.seq, e.kind, e.campaign_id, e.player, e.amount, e.ref, e.aux, e.block_number)
        .where(e.block_number <= block)
        .order_by(e.seq)
    )
    head, count, current_block = ZERO32, 0, None
    for row in conn.execution_options(yield_per=5_000).execute(query):
        if current_block is not None and row.block_number != current_block:
            result.checkpoints.append(Checkpoint(current_block, count, head))
        current_block = row.block_number
        entry = entry_of(row)
        head = fold(head, entry)
        count += 1
        _account(result, entry, row.player, row.campaign_id)
    if current_block is not None:
        result.checkpoints.append(Checkpoint(current_block, count, head))
    result.count, result.head = count, head
    return result


def _account(result: MirrorFold, entry: Entry, player: str, campaign: str | None) -> None:
    p = result.players[player]
    p["entries"] += 1
    name = KIND_NAMES[entry.kind]
    result.totals[name] += entry.amount
    if entry.kind == EntryKind.ISSUED:
        p["balance"] += entry.amount
        p["earned"] += entry.amount
        if campaign:
            result.campaigns[campaign][0] += entry.amount
        return
    p["balance"] -= entry.amount
    p[name] += entry.amount
    if entry.kind == EntryKind.REVERSED and campaign:
        result.campaigns[campaign][1] += entry.amount
