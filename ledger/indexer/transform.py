"""Transform: raw logs and their blocks into the mirror's rows. Pure: no node, no database.

Every entry is folded into the hash chain on the way, starting from the mirror's head, and each
event's reported head must equal the fold: a gap, an overlap or a mismatch stops the indexer
rather than writing a mirror that cannot be proven.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from ledger.encoding import hex32
from ledger.errors import DecodeFailed, EventDecodeError
from ledger.events import EntryEvent, LedgerEvent, decode_log, entries_of
from ledger.hashchain import ZERO32, EntryKind, fold
from ledger.indexer.extract import Block
from ledger.model import CAMPAIGN_FIGURES, KIND_NAMES, RULES, Figures

Row = dict[str, Any]


@dataclass(frozen=True)
class MirrorHead:
    """How far the mirror's hash chain goes: its entry count and head."""

    count: int = 0
    head: bytes = ZERO32


@dataclass
class Batch:
    """The rows one block range adds to the mirror, and how it moves the aggregates."""

    start_head: MirrorHead
    head: MirrorHead
    events: list[Row] = field(default_factory=list)
    entries: list[Row] = field(default_factory=list)
    entry_events: list[int] = field(default_factory=list)  # index into `events`, per entry
    payouts: list[Row] = field(default_factory=list)
    reversals: list[Row] = field(default_factory=list)
    expiries: list[Row] = field(default_factory=list)
    campaigns: list[Row] = field(default_factory=list)
    closures: list[tuple[str, int]] = field(default_factory=list)
    figures: Figures[str] = field(default_factory=Figures)  # how the range moves players, campaigns, totals
    blocks: list[Row] = field(default_factory=list)
    prepared: dict[str, Any] | None = None  # driver-ready rows, filled by the load's read-ahead


class TransformFailed(DecodeFailed):
    """A log that cannot go into the mirror, with where it is."""

    def __init__(self, raw: dict[str, Any], problem: str) -> None:
        self.block_number = int(raw.get("blockNumber", "0x0"), 16)
        self.block_hash = str(raw.get("blockHash", ""))
        self.tx_hash = str(raw.get("transactionHash", ""))
        self.log_index = int(raw.get("logIndex", "0x0"), 16)
        topics = raw.get("topics") or [None]
        self.topic0 = topics[0]
        self.problem = problem
        super().__init__(
            f"the log at block {self.block_number} tx {self.tx_hash} log {self.log_index} "
            f"cannot be mirrored: {problem}"
        )


def transform(
    logs: Iterable[dict[str, Any]], blocks: dict[int, Block], start: MirrorHead, chain_id: int, contract: str
) -> Batch:
    """The rows for `logs` (oldest first), folded onto the mirror's `start` head."""
    batch = Batch(start_head=start, head=start)
    batch.blocks = [
        {"number": b.number, "hash": b.hash, "parent_hash": b.parent_hash, "timestamp": b.timestamp}
        for b in sorted(blocks.values(), key=lambda b: b.number)
    ]
    for raw in logs:
        try:
            event = decode_log(raw)
        except EventDecodeError as exc:
            raise TransformFailed(raw, str(exc)) from exc
        block = blocks[event.location.block_number]
        tx_hash = hex32(event.location.tx_hash)
        batch.events.append(_event_row(event, chain_id, contract))
        if event.name == "CampaignCreated":
            batch.campaigns.append(_campaign_row(event, tx_hash))
        elif event.name == "CampaignClosed":
            batch.closures.append((hex32(event.args["campaignId"]), event.location.block_number))
        _add_entries(batch, raw, event, block, tx_hash)
    return batch


def _add_entries(batch: Batch, raw: dict[str, Any], event: LedgerEvent, block: Block, tx_hash: str) -> None:
    items = entries_of(event)
    if not items:
        return
    first, last = items[0].entry.seq, items[-1].entry.seq
    if last <= batch.head.count:
        return  # mirrored before: inserts are idempotent, and so is this
    if first != batch.head.count + 1:
        raise TransformFailed(
            raw, f"it records entries {first}-{last} but the mirror's next entry is {batch.head.count + 1}"
        )
    head = batch.head.head
    words = _Words()
    event_index = len(batch.events) - 1
    is_batch = event.name == "BatchIssued"
    where = {
        "block_number": block.number, "block_hash": block.hash, "block_time": block.timestamp,
        "tx_hash": tx_hash, "log_index": event.location.log_index, "sender": block.senders.get(tx_hash, ""),
    }  # fmt: skip
    for item in items:
        e = item.entry
        head = fold(head, e)
        if item.head is not None and item.head != head:
            raise TransformFailed(
                raw, f"entry {e.seq} folds to head {hex32(head)} but the event says {hex32(item.head)}"
            )
        player = hex32(e.player)
        batch.entries.append(_entry_row(item, player, head, words, where, is_batch))
        batch.entry_events.append(event_index)
        _account(batch, item, player, block.number, words)
    batch.head = MirrorHead(last, head)


def _entry_row(item: EntryEvent, player: str, head: bytes, words: _Words, where: Row, is_batch: bool) -> Row:
    e = item.entry
    return {
        "seq": e.seq,
        "kind": KIND_NAMES[e.kind],
        "campaign_id": None if e.campaign_id == ZERO32 else words(e.campaign_id),
        "player": player,
        "amount": e.amount,
        "ref": hex32(e.ref),
        "aux": words(e.aux),
        "reward_seq": item.reward_seq or None,
        "batch_id": words(item.batch_id) if is_batch else None,
        "batch_index": item.batch_index if is_batch else None,
        "head": hex32(head),
        **where,
    }


class _Words:
    """0x-hex of the 32-byte words an event repeats in every row (campaign, batch id)."""

    def __init__(self) -> None:
        self._seen: dict[bytes, str] = {}

    def __call__(self, word: bytes) -> str:
        text = self._seen.get(word)
        if text is None:
            text = self._seen[word] = hex32(word)
        return text


def _account(batch: Batch, item: EntryEvent, player: str, block_number: int, words: _Words) -> None:
    """Moves the figures by one entry, and adds its payout, reversal or expiry row."""
    e = item.entry
    campaign = None if e.campaign_id == ZERO32 else words(e.campaign_id)
    batch.figures.apply(e.kind, e.amount, player, campaign, e.seq, block_number)
    if e.kind == EntryKind.ISSUED:
        return
    common = {"seq": e.seq, "player": player, "amount": e.amount, "block_number": block_number}
    if e.kind == EntryKind.PAID:
        batch.payouts.append({**common, "ref": hex32(e.ref)})
    elif e.kind == EntryKind.REVERSED:
        reversal = {"reward_seq": item.reward_seq, "campaign_id": campaign, "reason": hex32(item.reason)}
        batch.reversals.append({**common, **reversal})
    else:
        batch.expiries.append({**common, "ref": hex32(e.ref), "reason": hex32(item.reason)})


ENTRY_EVENTS = frozenset(rule.event for rule in RULES.values())


def _event_row(event: LedgerEvent, chain_id: int, contract: str) -> Row:
    items = event.args
    seq = items.get("seq", items.get("firstSeq"))
    # an event that names an entry without recording it (a settlement's PayoutSettled) counts none
    count = len(items["records"]) // 64 if event.name == "BatchIssued" else int(event.name in ENTRY_EVENTS)
    return {
        "chain_id": chain_id,
        "contract": contract.lower(),
        "block_number": event.location.block_number,
        "block_hash": hex32(event.location.block_hash),
        "tx_hash": hex32(event.location.tx_hash),
        "log_index": event.location.log_index,
        "name": event.name,
        "seq": seq,
        "entries": count,
        "data": json.dumps({k: _json(v) for k, v in items.items()}, separators=(",", ":")),
    }


def _json(value: Any) -> Any:
    """Event fields as JSON: bytes as 0x-hex, integers as decimal strings (uint256 is exact)."""
    if isinstance(value, bytes):
        return hex32(value)
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return str(value)
    return str(value).lower() if isinstance(value, str) else value


def _campaign_row(event: LedgerEvent, tx_hash: str) -> Row:
    a = event.args
    return {
        "campaign_id": hex32(a["campaignId"]),
        "budget": a["budget"],
        **dict.fromkeys(CAMPAIGN_FIGURES, 0),
        "start_time": a["start"],
        "end_time": a["end"],
        "closed": False,
        "terms_hash": hex32(a["termsHash"]),
        "created_block": event.location.block_number,
        "created_tx": tx_hash,
        "closed_block": None,
    }
