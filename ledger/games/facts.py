"""A player's ledger facts read from the chain itself: every entry of theirs, with its time."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from ledger.hashchain import EntryKind

if TYPE_CHECKING:
    from ledger.chain.client import LedgerClient

ENTRY_EVENTS = ("RewardIssued", "BatchIssued", "PayoutRecorded", "RewardReversed", "BalanceExpired")
WEEK = 7 * 86_400


@dataclass(frozen=True)
class Fact:
    seq: int
    kind: EntryKind
    amount: int
    timestamp: int

    @property
    def week(self) -> int:
        """Weeks since the unix epoch (a week is 604,800 seconds from Thursday 00:00 UTC)."""
        return self.timestamp // WEEK


def player_facts(client: LedgerClient, player: bytes, from_block: int = 0) -> list[Fact]:
    """The player's entries in seq order, from the ledger's events (not from any mirror)."""
    return players_facts(client, {player}, from_block)[player]


def players_facts(client: LedgerClient, players: set[bytes], from_block: int = 0) -> dict[bytes, list[Fact]]:
    """Several players' entries in one pass over the ledger's events."""
    from ledger.events import decode_log, entries_of, event_topic
    from ledger.ops.lookup import scan_logs

    topics = [event_topic(name) for name in ENTRY_EVENTS]
    latest = client.w3.eth.block_number
    times: dict[int, int] = {}
    facts: dict[bytes, list[Fact]] = {player: [] for player in players}
    for raw in scan_logs(client, topics, from_block, latest):
        event = decode_log(raw)
        for item in entries_of(event):
            entry = item.entry
            if entry.player not in facts:
                continue
            block = event.location.block_number
            if block not in times:
                times[block] = int(client.w3.eth.get_block(block)["timestamp"])
            facts[entry.player].append(Fact(entry.seq, entry.kind, entry.amount, times[block]))
    return {player: sorted(found, key=lambda f: f.seq) for player, found in facts.items()}
