"""Tournament standings: scores ranked under the stated tie rule, their StandardMerkleTree, the
prize table and the prizes it gives.

Tie rule: a higher score ranks first; between equal scores the one reached earlier (the smaller
`reached`, a unix time) ranks first; if that is equal too, the smaller player key. Every rank is
unique (1, 2, 3, ...), so each place of the prize table goes to exactly one player.

A leaf is the StandardMerkleTree leaf of ["bytes32", "uint256", "uint256"] values: the player
key, the score and the rank.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ledger.encoding import Row
from ledger.games.document import Document, GamesError, amount, read_document
from ledger.rules.merkle import MerkleTree, build, leaf_hash, process_proof

LEAF_TYPES = ["bytes32", "uint256", "uint256"]
PRIZES_FORMAT = "rewards-ledger/prizes@1"
SCORING_FORMAT = "rewards-ledger/scoring@1"
PRIZE_REF = b"prize".ljust(20, b"\x00")


@dataclass(frozen=True)
class Score:
    player: bytes
    score: int
    reached: int  # when the score was reached (unix time): earlier wins a tie


@dataclass(frozen=True)
class Standing:
    player: bytes
    score: int
    rank: int

    def encode(self) -> bytes:
        return self.player + self.score.to_bytes(32, "big") + self.rank.to_bytes(32, "big")

    def hash(self) -> bytes:
        return leaf_hash(self.encode())


@dataclass(frozen=True)
class Standings:
    ranked: list[Standing]  # rank order
    tree: MerkleTree

    @property
    def root(self) -> bytes:
        return self.tree.root

    def proof(self, rank: int) -> list[bytes]:
        return self.tree.proof(rank - 1)


def rank(scores: Sequence[Score]) -> Standings:
    """Ranks scores under the tie rule and builds the tree (leaves in rank order)."""
    players = [s.player for s in scores]
    if len(set(players)) != len(players):
        raise GamesError("a player appears twice in the scores")
    if not scores:
        raise GamesError("standings need at least one participant")
    ordered = sorted(scores, key=lambda s: (-s.score, s.reached, s.player))
    ranked = [Standing(s.player, s.score, index + 1) for index, s in enumerate(ordered)]
    return Standings(ranked, build([s.hash() for s in ranked]))


def proves(standing: Standing, proof: Sequence[bytes], root: bytes) -> bool:
    """Whether a (player, score, rank) leaf and its proof lead to the committed root."""
    return process_proof(standing.hash(), proof) == root


@dataclass(frozen=True)
class PrizeTable:
    document: Document
    prizes: list[int]  # prizes[r - 1] is rank r's prize

    @property
    def total(self) -> int:
        return sum(self.prizes)

    def prize(self, rank: int) -> int:
        return self.prizes[rank - 1] if 1 <= rank <= len(self.prizes) else 0

    def total_for(self, participants: int) -> int:
        """What the prizes add up to with this many participants (unfilled places pay nothing)."""
        return sum(self.prizes[:participants])


def prize_table(document: Document, source: str = "prizes") -> PrizeTable:
    prizes = document.data.get("prizes")
    if set(document.data) - {"format", "prizes", "name"} or not isinstance(prizes, list) or not prizes:
        raise GamesError(f'{source}: expected {{"format", "prizes": [amount by rank, ...]}}')
    if len(prizes) > 65_535:
        raise GamesError(f"{source}: at most 65535 paid places")
    values = [amount(value, f"{source}: at prizes/{i}", positive=True) for i, value in enumerate(prizes)]
    if any(value >= 2**96 for value in values) or sum(values) >= 2**96:
        raise GamesError(f"{source}: prizes must total below 2^96")
    return PrizeTable(document, values)


def load_prize_table(path: Path) -> PrizeTable:
    return prize_table(read_document(path, PRIZES_FORMAT), str(path))


def load_scoring(path: Path) -> Document:
    """The scoring rule: published by hash; `description` says how a score is made."""
    return read_document(path, SCORING_FORMAT)


def prize_rows(standings: Standings, table: PrizeTable) -> list[Row]:
    """The prize batch: one row per paid place that has a player, in rank order."""
    return [Row(s.player, table.prize(s.rank), PRIZE_REF) for s in standings.ranked[: len(table.prizes)]]


def check_prize_rows(rows: Sequence[Row], table: PrizeTable, participants: int) -> None:
    """Refuses a prize batch whose total or winners are not what the table gives."""
    expected = table.total_for(participants)
    total = sum(row.amount for row in rows)
    if total != expected or len(rows) != min(participants, len(table.prizes)):
        raise GamesError(f"the prizes total {total} over {len(rows)} winners; the table gives {expected} over {min(participants, len(table.prizes))}")  # fmt: skip


def standings_json(standings: Standings, index: int, final: bool) -> dict[str, Any]:
    """A committed standings file: every leaf with its proof (what the leaderboard serves)."""
    return {
        "index": index,
        "final": final,
        "root": "0x" + standings.root.hex(),
        "participants": len(standings.ranked),
        "leaf_types": LEAF_TYPES,
        "standings": [
            {"player": "0x" + s.player.hex(), "score": str(s.score), "rank": s.rank,
             "proof": ["0x" + p.hex() for p in standings.proof(s.rank)]}
            for s in standings.ranked
        ],
    }  # fmt: skip
