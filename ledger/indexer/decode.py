"""Fast decoding of the ledger's logs whose layout is fixed, by slicing 32-byte words.

Every ledger event whose fields are `uint256`, `bytes32` or a trailing `bytes` (BatchIssued's
packed rows) decodes here without eth-abi, which costs tens of microseconds a log; any other event
(roles, pause) goes through `ledger.events.decode_log`. Both give the same `LedgerEvent`, and a
test holds them equal on recorded logs of every kind.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any

from sha3 import keccak_256

if TYPE_CHECKING:
    from ledger.events import LedgerEvent

FIXED = ("uint256", "bytes32")
WORD = 32


@dataclass(frozen=True)
class Layout:
    """Where one event's fields sit: its indexed topics, then its data words."""

    name: str
    indexed: tuple[tuple[str, str], ...]
    data: tuple[tuple[str, str], ...]


def _topic(item: dict[str, Any]) -> str:
    signature = f"{item['name']}({','.join(i['type'] for i in item['inputs'])})"
    digest: str = keccak_256(signature.encode()).hexdigest()
    return "0x" + digest


def _fixed(item: dict[str, Any]) -> bool:
    """Fields this module decodes: words, and at most one `bytes`, the last data field."""
    data = [i["type"] for i in item["inputs"] if not i["indexed"]]
    indexed = [i["type"] for i in item["inputs"] if i["indexed"]]
    static = data[:-1] if data and data[-1] == "bytes" else data
    return all(t in FIXED for t in static + indexed)


@cache
def layouts() -> dict[str, Layout]:
    """The fixed layouts by topic (lowercase 0x-hex), from the contract's ABI."""
    from ledger.artifact import load_artifact

    found = {}
    for item in load_artifact().abi:
        if item["type"] == "event" and not item.get("anonymous") and _fixed(item):
            indexed = tuple((i["name"], i["type"]) for i in item["inputs"] if i["indexed"])
            data = tuple((i["name"], i["type"]) for i in item["inputs"] if not i["indexed"])
            found[_topic(item)] = Layout(item["name"], indexed, data)
    return found


def topic_of(name: str) -> str:
    """The topic of a fixed-layout event, by name."""
    return next(topic for topic, layout in layouts().items() if layout.name == name)


def _value(typ: str, word: bytes) -> Any:
    return int.from_bytes(word, "big") if typ == "uint256" else word


def decode(raw: dict[str, Any]) -> LedgerEvent:
    """The event of one raw log: by slicing when its layout is fixed, else through eth-abi."""
    from ledger.events import LedgerEvent, decode_log, location_of

    topics = raw.get("topics") or []
    layout = layouts().get(str(topics[0]).lower()) if topics else None
    if layout is None or len(topics) != 1 + len(layout.indexed):
        return decode_log(raw)  # and its own error for a log that does not fit
    data = bytes.fromhex(str(raw.get("data", "0x"))[2:])
    args: dict[str, Any] = {}
    for (name, typ), topic in zip(layout.indexed, topics[1:], strict=True):
        args[name] = _value(typ, bytes.fromhex(topic[2:]))
    for i, (name, typ) in enumerate(layout.data):
        word = data[i * WORD : (i + 1) * WORD]
        if len(word) != WORD:
            return decode_log(raw)
        if typ == "bytes":
            args[name] = _dynamic(data, int.from_bytes(word, "big"))
            if args[name] is None:
                return decode_log(raw)
        else:
            args[name] = _value(typ, word)
    return LedgerEvent(layout.name, args, location_of(raw), str(raw.get("address", "")))


def _dynamic(data: bytes, offset: int) -> bytes | None:
    """The `bytes` field at `offset`, or None when the length word or the payload is cut short
    (eth-abi then names the problem)."""
    if offset + WORD > len(data):
        return None
    length = int.from_bytes(data[offset : offset + WORD], "big")
    start = offset + WORD
    if start + length > len(data):
        return None
    return data[start : start + length]
