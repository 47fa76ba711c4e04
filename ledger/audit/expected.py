"""What the mirror must hold for a stretch of the chain, stated from the chain alone. Pure.

The rows are built from the decoded logs (`ledger.events`), the blocks that hold them (hash, time,
each transaction's sender) and the entry model, independently of the indexer's transform: an
audit that reused the indexer's code would certify whatever that code writes. Each row is a
tuple in the column order of `ledger.audit.store`, so a row that matches costs one comparison.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ledger.audit.store import KIND_TABLES
from ledger.errors import NodeError
from ledger.events import EntryEvent, LedgerEvent, entries_of
from ledger.hashchain import ZERO32, fold
from ledger.model import KIND_NAMES, RULES, Figures

BATCH_EVENTS = frozenset(rule.batch_event for rule in RULES.values() if rule.batch_event)
Row = tuple[Any, ...]


@dataclass(frozen=True)
class ChainBlock:
    number: int
    hash: str
    parent_hash: str
    timestamp: int
    senders: dict[str, str] = field(default_factory=dict)  # tx hash -> from (full blocks only)


def chain_block(raw: dict[str, Any]) -> ChainBlock:
    """A block as `eth_getBlockByNumber` returns it (with or without its transactions)."""
    senders = {
        str(tx["hash"]).lower(): str(tx["from"]).lower()
        for tx in raw.get("transactions", [])
        if isinstance(tx, dict)
    }
    return ChainBlock(
        int(raw["number"], 16), str(raw["hash"]).lower(), str(raw["parentHash"]).lower(),
        int(raw["timestamp"], 16), senders,
    )  # fmt: skip


@dataclass
class ChainFold:
    """The chain's entries folded so far: their count, hash-chain head and figures (per player,
    per campaign, totals) as the entry model moves them."""

    count: int = 0
    head: bytes = ZERO32
    figures: Figures[str] = field(default_factory=Figures)
    first_seq: int = 0  # above 1 when the logs read begin after the ledger's first entry
    last_seq: int = 0


@dataclass
class Expected:
    """The rows a stretch of blocks puts in the mirror, each table in the order it is streamed."""

    events: list[tuple[Row, dict[str, Any]]] = field(default_factory=list)  # (columns, decoded data)
    entries: list[Row] = field(default_factory=list)
    kinds: dict[str, list[Row]] = field(default_factory=lambda: {name: [] for name in KIND_TABLES.values()})
    created: dict[str, dict[str, Any]] = field(default_factory=dict)  # campaign -> its creation's columns
    closed: dict[str, int] = field(default_factory=dict)  # campaign -> block of its closure


class _Hex:
    """0x-hex of 32-byte words, remembered: a batch repeats its campaign and id in every row."""

    def __init__(self) -> None:
        self.seen: dict[bytes, str] = {}

    def __call__(self, word: bytes) -> str:
        text = self.seen.get(word)
        if text is None:
            text = self.seen[word] = "0x" + word.hex()
        return text


def expected_rows(
    events: list[LedgerEvent], blocks: dict[int, ChainBlock], chain: ChainFold, chain_id: int, contract: str
) -> Expected:
    """The mirror's rows for `events` (in chain order), folding their entries onto `chain`."""
    out = Expected()
    words = _Hex()
    for event in events:
        where = event.location
        block = blocks[where.block_number]
        tx_hash = "0x" + where.tx_hash.hex()
        items = entries_of(event)
        first = event.args.get("seq", event.args.get("firstSeq"))
        out.events.append(
            (
                (where.block_number, where.log_index, chain_id, contract, "0x" + where.block_hash.hex(),
                 tx_hash, event.name, first, len(items), None),
                event_data(event.args),
            )
        )  # fmt: skip
        if event.name == "CampaignCreated":
            out.created[words(event.args["campaignId"])] = _creation(event, tx_hash)
        elif event.name == "CampaignClosed":
            out.closed[words(event.args["campaignId"])] = where.block_number
        located = (where.block_number, "0x" + where.block_hash.hex(), block.timestamp, tx_hash,
                   where.log_index, block.senders.get(tx_hash, ""))  # fmt: skip
        for item in items:
            _add_entry(out, item, event.name in BATCH_EVENTS, located, chain, words)
    return out


def _add_entry(
    out: Expected, item: EntryEvent, is_batch: bool, located: Row, chain: ChainFold, words: _Hex
) -> None:
    e = item.entry
    if chain.count == 0:
        chain.first_seq = e.seq
    elif e.seq != chain.last_seq + 1:
        raise NodeError(
            f"the node's logs go from entry {chain.last_seq} to entry {e.seq}: its log index is "
            "incomplete; use another node"
        )
    chain.head = head = fold(chain.head, e)
    chain.count, chain.last_seq = chain.count + 1, e.seq
    campaign = None if e.campaign_id == ZERO32 else words(e.campaign_id)
    player, ref = "0x" + e.player.hex(), "0x" + e.ref.hex()  # unique to the entry: not remembered
    out.entries.append(
        (e.seq, KIND_NAMES[e.kind], campaign, player, e.amount, ref, words(e.aux),
         item.reward_seq or None, words(item.batch_id) if is_batch else None,
         item.batch_index if is_batch else None, "0x" + head.hex(), *located)
    )  # fmt: skip
    block = located[0]
    chain.figures.apply(e.kind, e.amount, player, campaign, e.seq, block)
    table = KIND_TABLES.get(e.kind)
    if table == "payouts":
        out.kinds[table].append((e.seq, player, e.amount, ref, block))
    elif table == "reversals":
        reason = words(item.reason)
        out.kinds[table].append((e.seq, item.reward_seq, player, campaign, e.amount, reason, block))
    elif table == "expiries":
        out.kinds[table].append((e.seq, player, e.amount, ref, words(item.reason), block))


def _creation(event: LedgerEvent, tx_hash: str) -> dict[str, Any]:
    a = event.args
    return {
        "budget": a["budget"], "start_time": a["start"], "end_time": a["end"],
        "terms_hash": "0x" + a["termsHash"].hex(), "created_block": event.location.block_number,
        "created_tx": tx_hash,
    }  # fmt: skip


def event_data(args: dict[str, Any]) -> dict[str, Any]:
    """An event's decoded fields as the mirror's JSON holds them: bytes as 0x-hex, integers as
    decimal strings (uint256 stays exact), addresses in lowercase."""
    return {name: _json(value) for name, value in args.items()}


def _json(value: Any) -> Any:
    if isinstance(value, bytes):
        return "0x" + value.hex()
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return str(value)
    return str(value).lower()
