"""The mirror's entries folded up to a block: hash-chain head, checkpoints and derived aggregates."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, select

from ledger.db import tables as t
from ledger.hashchain import ZERO32, Entry, fold
from ledger.model import Figures, rule_of


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
    figures: Figures[str] = field(default_factory=Figures)


def entry_of(row: Any) -> Entry:
    """The hashed fields of an `entries` row."""
    return Entry(
        row.seq,
        rule_of(row.kind).kind,
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
        result.figures.apply_entry(entry, row.player, row.campaign_id, row.block_number)
    if current_block is not None:
        result.checkpoints.append(Checkpoint(current_block, count, head))
    result.count, result.head = count, head
    return result
