"""The player's entries on chain after the API's block, found by the verifier itself.

An API that lags (or claims to) has not listed entries recorded after its block. The verifier
reads them from the node, so that the history it judges ends at a block it chose: single-entry
events name the player in an indexed topic (one filter each), batch events do not, so their rows
are read and scanned. The range is at most `--max-lag` blocks.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from ledger.artifact import load_artifact
from ledger.chain.rpc import Rpc
from ledger.events import EntryEvent, decode_log, entries_of, event_topic
from ledger.model import KIND_NAMES, RULES
from ledger.verify.report import NewerEntry


@cache
def topic_filters() -> tuple[tuple[tuple[str, ...], int | None], ...]:
    """(event names, topic position of the player) for every event recording entries, from the ABI;
    position None: the player is not indexed (a batch's rows), so every such event is read."""
    events = {item["name"]: item for item in load_artifact().abi if item["type"] == "event"}
    by_position: dict[int | None, list[str]] = {}
    names = [name for rule in RULES.values() for name in (rule.event, rule.batch_event) if name]
    for name in names:
        indexed = [i["name"] for i in events[name]["inputs"] if i["indexed"]]
        position = indexed.index("player") + 1 if "player" in indexed else None
        by_position.setdefault(position, []).append(name)
    return tuple((tuple(found), position) for position, found in by_position.items())


def _query(contract: str, start: int, end: int, names: tuple[str, ...], position: int | None, player: bytes) -> dict[str, Any]:  # fmt: skip
    topics: list[Any] = [["0x" + event_topic(name).hex() for name in names]]
    if position is not None:
        topics += [None] * (position - 1) + ["0x" + player.hex()]
    return {"address": contract, "fromBlock": hex(start), "toBlock": hex(end), "topics": topics}


def newer_entries(rpc: Rpc, contract: str, player: bytes, start: int, end: int) -> list[NewerEntry]:
    """The player's entries recorded in blocks `start` to `end` (inclusive), in sequence order."""
    if start > end:
        return []
    queries = [_query(contract, start, end, names, pos, player) for names, pos in topic_filters()]
    found: dict[int, NewerEntry] = {}
    for logs in rpc.batch([("eth_getLogs", [query]) for query in queries]):
        for log in logs or []:
            event = decode_log(log)
            for row in entries_of(event):
                if row.entry.player == player:
                    found[row.entry.seq] = _newer(row, event.location.block_number, event.location.tx_hash)
    return [found[seq] for seq in sorted(found)]


def _newer(row: EntryEvent, block: int, tx_hash: bytes) -> NewerEntry:
    return NewerEntry(row.entry.seq, KIND_NAMES[row.entry.kind], row.entry.amount, block, tx_hash)
