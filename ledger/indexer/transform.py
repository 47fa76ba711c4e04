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

from sha3 import keccak_256

from ledger.encoding import ROW_BYTES, hex32
from ledger.errors import DecodeFailed, EventDecodeError
from ledger.events import EntryEvent, LedgerEvent, entries_of
from ledger.hashchain import ZERO32, EntryKind, fold
from ledger.indexer.decode import decode
from ledger.indexer.extract import Block
from ledger.model import CAMPAIGN_FIGURES, KIND_NAMES, Figures

Row = dict[str, Any]
# An entry row as a tuple of these columns (the amount last, where the load's driver rows want
# it): a hundred thousand dicts cost more than the keccak of every entry.
ENTRY_COLUMNS = (
    "seq", "kind", "campaign_id", "player", "ref", "aux", "reward_seq", "batch_id", "batch_index", "head",
    "block_number", "block_hash", "block_time", "tx_hash", "log_index", "sender", "amount",
)  # fmt: skip
EntryRow = tuple[Any, ...]


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
    entries: list[EntryRow] = field(default_factory=list)  # in `ENTRY_COLUMNS` order
    entry_events: list[int] = field(default_factory=list)  # index into `events`, per entry
    payouts: list[Row] = field(default_factory=list)
    reversals: list[Row] = field(default_factory=list)
    expiries: list[Row] = field(default_factory=list)
    campaigns: list[Row] = field(default_factory=list)
    closures: list[tuple[str, int]] = field(default_factory=list)
    figures: Figures[str] = field(default_factory=Figures)  # how the range moves players, campaigns, totals
    blocks: list[Row] = field(default_factory=list)
    prepared: dict[str, Any] | None = None  # driver-ready rows, filled by the load's read-ahead

    def entry_dicts(self) -> list[Row]:
        """The entry rows as column -> value."""
        return [dict(zip(ENTRY_COLUMNS, row, strict=True)) for row in self.entries]


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
            event = decode(raw)
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
    if event.name == "BatchIssued":
        _add_batch_rows(batch, raw, event, block, tx_hash)
        return
    items = entries_of(event)
    if not items or not _is_next(batch, raw, items[0].entry.seq, items[-1].entry.seq):
        return
    head = batch.head.head
    words = _Words()
    event_index = len(batch.events) - 1
    where = _where(block, tx_hash, event)
    for item in items:
        e = item.entry
        head = fold(head, e)
        if item.head is not None and item.head != head:
            raise TransformFailed(
                raw, f"entry {e.seq} folds to head {hex32(head)} but the event says {hex32(item.head)}"
            )
        player = hex32(e.player)
        batch.entries.append(_entry_row(item, player, head, words, where))
        batch.entry_events.append(event_index)
        _account(batch, item, player, block.number, words)
    batch.head = MirrorHead(items[-1].entry.seq, head)


def _is_next(batch: Batch, raw: dict[str, Any], first: int, last: int) -> bool:
    """True when entries `first`-`last` continue the mirror; False when it holds them already."""
    if last <= batch.head.count:
        return False  # mirrored before: inserts are idempotent, and so is this
    if first != batch.head.count + 1:
        raise TransformFailed(
            raw, f"it records entries {first}-{last} but the mirror's next entry is {batch.head.count + 1}"
        )
    return True


def _where(block: Block, tx_hash: str, event: LedgerEvent) -> tuple[Any, ...]:
    """The location columns of an entry row: block number, hash and time, transaction, log, sender."""
    return (block.number, block.hash, block.timestamp, tx_hash, event.location.log_index,
            block.senders.get(tx_hash, ""))  # fmt: skip


def _entry_row(item: EntryEvent, player: str, head: bytes, words: _Words, where: tuple[Any, ...]) -> EntryRow:
    e = item.entry
    campaign = None if e.campaign_id == ZERO32 else words(e.campaign_id)
    return (e.seq, KIND_NAMES[e.kind], campaign, player, hex32(e.ref), words(e.aux), item.reward_seq or None,
            None, None, hex32(head), *where, e.amount)  # fmt: skip


_ISSUED = int(EntryKind.ISSUED).to_bytes(32, "big")
_REF_PAD = bytes(32 - 20)  # a row's 20-byte reference is left-aligned in its word
_AMOUNT_PAD = bytes(32 - 12)  # a row's 12-byte amount is right-aligned in its word


def _add_batch_rows(
    batch: Batch, raw: dict[str, Any], event: LedgerEvent, block: Block, tx_hash: str
) -> None:
    """A BatchIssued's rows, sliced straight from its packed records (64 bytes each: player,
    20-byte reference, 12-byte amount) and folded as `hashchain.fold` folds an issued entry whose
    `ref` is the row reference left-aligned and whose `aux` is the batch id."""
    a = event.args
    records: bytes = a["records"]
    if len(records) % ROW_BYTES:
        raise TransformFailed(raw, f"its records hold {len(records)} bytes, not whole rows of {ROW_BYTES}")
    if not records:
        return
    first = a["firstSeq"]
    count = len(records) // ROW_BYTES
    if not _is_next(batch, raw, first, first + count - 1):
        return
    campaign, batch_id = a["campaignId"], a["batchId"]
    kind, batch_hex = KIND_NAMES[EntryKind.ISSUED], hex32(batch_id)
    campaign_hex = None if campaign == ZERO32 else hex32(campaign)
    block_number, block_hash, block_time, tx, log_index, sender = _where(block, tx_hash, event)
    fixed = _ISSUED + campaign
    head, event_index = batch.head.head, len(batch.events) - 1
    rows, apply = batch.entries, batch.figures.apply
    for index in range(count):
        record = records[index * ROW_BYTES : (index + 1) * ROW_BYTES]
        seq, amount, ref = first + index, int.from_bytes(record[52:], "big"), record[32:52]
        folded = (head, seq.to_bytes(32, "big"), fixed, record[:32], _AMOUNT_PAD, record[52:], ref, _REF_PAD, batch_id)  # fmt: skip
        head = keccak_256(b"".join(folded)).digest()
        player = "0x" + record[:32].hex()
        rows.append((seq, kind, campaign_hex, player, "0x" + ref.hex() + "00" * 12, batch_hex, None, batch_hex,
                     index, "0x" + head.hex(), block_number, block_hash, block_time, tx, log_index, sender, amount))  # fmt: skip
        apply(EntryKind.ISSUED, amount, player, campaign_hex, seq, block_number)
    if head != a["head"]:
        raise TransformFailed(
            raw, f"entry {seq} folds to head {hex32(head)} but the event says {hex32(a['head'])}"
        )
    batch.entry_events.extend([event_index] * count)
    batch.head = MirrorHead(first + count - 1, head)


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


def _event_row(event: LedgerEvent, chain_id: int, contract: str) -> Row:
    items = event.args
    seq = items.get("seq", items.get("firstSeq"))
    count = len(items["records"]) // 64 if event.name == "BatchIssued" else (1 if "seq" in items else 0)
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
