"""Pure decoding of the ledger contract's raw logs, and their expansion into ledger entries.

Input is a log as JSON-RPC returns it (hex strings); nothing here talks to a node, so the
indexer's transform, the operator tools and verification all decode the same way.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from typing import Any

from ledger.artifact import load_artifact
from ledger.encoding import row_ref_word, unpack_rows
from ledger.errors import EventDecodeError
from ledger.hashchain import ZERO32, Entry, EntryKind


@dataclass(frozen=True)
class LogLocation:
    block_number: int
    block_hash: bytes
    tx_hash: bytes
    log_index: int
    removed: bool = False


@dataclass(frozen=True)
class LedgerEvent:
    name: str
    args: dict[str, Any]
    location: LogLocation
    address: str = ""


@dataclass(frozen=True)
class EntryEvent:
    """A ledger entry with the facts the mirror keeps beside its hashed fields."""

    entry: Entry
    head: bytes | None  # the head the contract reported after it (None inside a batch)
    batch_id: bytes = ZERO32
    batch_index: int = 0
    reward_seq: int = 0
    reason: bytes = ZERO32
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class _EventSpec:
    name: str
    indexed: list[tuple[str, str]]
    data: list[tuple[str, str]]


@cache
def _specs() -> dict[bytes, _EventSpec]:
    from eth_utils.abi import event_abi_to_log_topic

    specs = {}
    for item in load_artifact().abi:
        if item["type"] != "event":
            continue
        topic = bytes(event_abi_to_log_topic(item))  # type: ignore[arg-type]
        indexed = [(i["name"], i["type"]) for i in item["inputs"] if i["indexed"]]
        data = [(i["name"], i["type"]) for i in item["inputs"] if not i["indexed"]]
        specs[topic] = _EventSpec(item["name"], indexed, data)
    return specs


def event_topic(name: str) -> bytes:
    for topic, spec in _specs().items():
        if spec.name == name:
            return topic
    raise KeyError(name)


def _hex(value: str | bytes) -> bytes:
    if isinstance(value, bytes):
        return value
    return bytes.fromhex(value.removeprefix("0x"))


def _int(value: str | int) -> int:
    return value if isinstance(value, int) else int(value, 16)


def location_of(raw: dict[str, Any]) -> LogLocation:
    return LogLocation(
        block_number=_int(raw["blockNumber"]),
        block_hash=_hex(raw["blockHash"]),
        tx_hash=_hex(raw["transactionHash"]),
        log_index=_int(raw["logIndex"]),
        removed=bool(raw.get("removed", False)),
    )


def decode_log(raw: dict[str, Any]) -> LedgerEvent:
    """Decodes one raw log of the ledger contract; raises `EventDecodeError` if it does not fit."""
    from eth_abi.abi import decode  # imported on first use: the indexer decodes most logs without it

    topics = [_hex(t) for t in raw.get("topics", [])]
    location = location_of(raw)
    where = f"block {location.block_number} tx 0x{location.tx_hash.hex()} log {location.log_index}"
    if not topics:
        raise EventDecodeError(f"anonymous log at {where}")
    spec = _specs().get(topics[0])
    if spec is None:
        raise EventDecodeError(f"unknown event topic 0x{topics[0].hex()} at {where}")
    if len(topics) != 1 + len(spec.indexed):
        raise EventDecodeError(f"{spec.name} at {where} has {len(topics) - 1} indexed topics")
    try:
        args: dict[str, Any] = {}
        for (name, typ), topic in zip(spec.indexed, topics[1:], strict=True):
            (args[name],) = decode([typ], topic)
        values = decode([typ for _, typ in spec.data], _hex(raw.get("data", "0x")))
        args.update(zip((name for name, _ in spec.data), values, strict=True))
    except Exception as exc:
        raise EventDecodeError(f"{spec.name} at {where} does not decode: {exc}") from exc
    return LedgerEvent(spec.name, args, location, str(raw.get("address", "")))


def entries_of(event: LedgerEvent) -> list[EntryEvent]:
    """The ledger entries an event records (none for campaign and role events)."""
    a = event.args
    if event.name == "RewardIssued":
        entry = Entry(a["seq"], EntryKind.ISSUED, a["campaignId"], a["player"], a["amount"], a["ref"])
        return [EntryEvent(entry, a["head"])]
    if event.name == "BatchIssued":
        rows = unpack_rows(a["records"])
        out = []
        for index, row in enumerate(rows):
            entry = Entry(
                a["firstSeq"] + index, EntryKind.ISSUED, a["campaignId"], row.player, row.amount,
                row_ref_word(row.ref), a["batchId"],
            )  # fmt: skip
            last = index == len(rows) - 1
            out.append(EntryEvent(entry, a["head"] if last else None, a["batchId"], index))
        return out
    if event.name == "PayoutRecorded":
        entry = Entry(a["seq"], EntryKind.PAID, ZERO32, a["player"], a["amount"], a["ref"])
        return [EntryEvent(entry, a["head"])]
    if event.name == "RewardReversed":
        ref = a["rewardSeq"].to_bytes(32, "big")
        entry = Entry(
            a["seq"], EntryKind.REVERSED, a["campaignId"], a["player"], a["amount"], ref, a["reason"]
        )
        return [EntryEvent(entry, a["head"], reward_seq=a["rewardSeq"], reason=a["reason"])]
    if event.name == "BalanceExpired":
        entry = Entry(a["seq"], EntryKind.EXPIRED, ZERO32, a["player"], a["amount"], a["ref"], a["reason"])
        return [EntryEvent(entry, a["head"], reason=a["reason"])]
    return []
