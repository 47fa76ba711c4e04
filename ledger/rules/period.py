"""One period computed: every player's reward and leaf, the tree, the root and the total.

The same function serves the operator (`ledger period compute`, which then commits the root) and
the auditor (`ledger audit recompute`, which compares what it finds with the chain).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ledger.errors import InputError
from ledger.rules.activity import PlayerActivity, write_activity
from ledger.rules.document import RulesDocument
from ledger.rules.engine import ActivityMismatch, Engine
from ledger.rules.leaf import Leaf
from ledger.rules.merkle import MerkleTree, build

ROW_REF_BYTES = 20  # a batch row's reference: the first 20 bytes of the player's leaf hash
MAX_REWARD = 2**96 - 1  # what a batch row's amount holds


@dataclass(frozen=True)
class PeriodResult:
    period: bytes
    rules: RulesDocument
    leaves: list[Leaf]
    hashes: list[bytes]
    tree: MerkleTree

    @property
    def root(self) -> bytes:
        return self.tree.root

    @property
    def total(self) -> int:
        return sum(leaf.reward for leaf in self.leaves)

    def rewards(self) -> list[tuple[bytes, int, bytes]]:
        """(player, amount, row reference) for every leaf with a reward: the period's batch rows,
        in the order of the player keys, so the same period makes the same batches however its
        activity file is ordered."""
        return sorted(
            (leaf.player, leaf.reward, digest[:ROW_REF_BYTES])
            for leaf, digest in zip(self.leaves, self.hashes, strict=True)
            if leaf.reward
        )

    def summary(self, campaign: str) -> dict[str, Any]:
        return {
            "period": "0x" + self.period.hex(),
            "campaign": campaign,
            "rules_hash": self.rules.hash_hex,
            "root": "0x" + self.root.hex(),
            "leaf_count": len(self.leaves),
            "total": str(self.total),
        }

    def proof_of(self, player: bytes) -> dict[str, Any]:
        """What a player receives: the leaf (with its salt), its proof, the period's root."""
        for index, leaf in enumerate(self.leaves):
            if leaf.player == player:
                return {
                    "leaf": leaf.to_json(),
                    "proof": ["0x" + node.hex() for node in self.tree.proof(index)],
                    "root": "0x" + self.root.hex(),
                    "rules_hash": self.rules.hash_hex,
                }
        raise InputError(f"player 0x{player.hex()} has no leaf in this period")


def compute_period(rules: RulesDocument, period: bytes, rows: list[PlayerActivity]) -> PeriodResult:
    """Every player's reward and leaf under `rules`, and the tree over the leaves."""
    if not rows:
        raise InputError("the activity file has no players")
    engine = Engine(rules.data)
    leaves: list[Leaf] = []
    for row in rows:
        try:
            engine.check(row.activity)
            reward = engine.total(row.activity)
        except ActivityMismatch as exc:
            raise InputError(f"player 0x{row.player.hex()}: {exc}") from exc
        if reward > MAX_REWARD:
            raise InputError(f"player 0x{row.player.hex()}: reward {reward} exceeds {MAX_REWARD}")
        leaves.append(Leaf(row.player, period, row.activity, reward, row.salt))
    hashes = [leaf.hash() for leaf in leaves]
    return PeriodResult(period, rules, leaves, hashes, build(hashes))


def write_outputs(result: PeriodResult, rows: list[PlayerActivity], campaign: str, directory: Path) -> None:
    """period.json (what gets committed), rewards.csv (the batch rows) and activity.csv (with
    every salt: what the auditor recomputes from, and what player proofs are built from)."""
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "period.json").write_text(json.dumps(result.summary(campaign), indent=1) + "\n")
    (directory / "rules.json").write_bytes(result.rules.canonical)
    with (directory / "rewards.csv").open("w", encoding="utf-8") as handle:
        handle.write("player,amount,reference\n")
        for player, amount, ref in result.rewards():
            handle.write(f"0x{player.hex()},{amount},0x{ref.hex()}\n")
    write_activity(directory / "activity.csv", rows, result.rules.data)
