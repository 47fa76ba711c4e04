"""What the operator's API claims about a player's games, read for the player's check: the tier
and its table, the badges with their rules and evidence, the leaderboard down to the player."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote

from pydantic import BaseModel, ConfigDict

from ledger.encoding import parse_player_key
from ledger.errors import ApiError
from ledger.games.badges import FORMAT as BADGES_FORMAT
from ledger.games.badges import Badge, badges_of
from ledger.games.check import Claim
from ledger.games.document import GamesError, parse_document
from ledger.games.tiers import FORMAT as TIERS_FORMAT
from ledger.games.tiers import TierTable, tier_table
from ledger.verify.apiclient import LedgerApi

PAGE = 500


class _Model(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


class ClaimedLine(_Model):
    rank: int
    player: str
    score: str
    proof: list[str]

    def claim(self) -> Claim:
        try:
            proof = [bytes.fromhex(p.removeprefix("0x")) for p in self.proof]
            return Claim(parse_player_key(self.player), int(self.score), self.rank, proof)
        except ValueError as exc:
            raise ApiError(f"the API served a malformed leaderboard line: {exc}") from exc


class ClaimedPage(_Model):
    entries: list[ClaimedLine]
    next_after_rank: int | None


class ClaimedStanding(_Model):
    entry: ClaimedLine


class ClaimedTier(_Model):
    tier: int
    table: dict[str, Any]


class ClaimedBadge(_Model):
    rule: dict[str, Any]
    evidence: dict[str, Any]


class ClaimedBadges(_Model):
    badges: list[ClaimedBadge]


class GamesApi(LedgerApi):
    """The games routes of one ledger API."""

    def tier(self, player: bytes) -> tuple[TierTable, int]:
        claimed = self._get(f"/v1/games/players/0x{player.hex()}/tier", ClaimedTier)
        try:
            return tier_table(
                parse_document(json.dumps(claimed.table), TIERS_FORMAT, "the API's tier table")
            ), claimed.tier
        except GamesError as exc:
            raise ApiError(str(exc)) from exc

    def badges(self, player: bytes) -> tuple[dict[str, Badge], list[dict[str, Any]]]:
        claimed = self._get(f"/v1/games/players/0x{player.hex()}/badges", ClaimedBadges).badges
        if not claimed:
            return {}, []
        document = {"format": BADGES_FORMAT, "badges": [b.rule for b in claimed]}
        try:
            badges = badges_of(parse_document(json.dumps(document), BADGES_FORMAT, "the API's badges"))
        except GamesError as exc:
            raise ApiError(str(exc)) from exc
        return badges, [{"badge": b.rule["id"], "evidence": b.evidence} for b in claimed]

    def board(self, tournament: bytes, player: bytes) -> list[Claim]:
        """The player's line and every line ranked above it."""
        base = f"/v1/games/tournaments/{quote('0x' + tournament.hex())}"
        mine = self._get(f"{base}/players/0x{player.hex()}", ClaimedStanding).entry
        lines: list[ClaimedLine] = []
        after = 0
        while after < mine.rank - 1:
            limit = min(PAGE, mine.rank - 1 - after)
            page = self._get(f"{base}/leaderboard", ClaimedPage, {"after_rank": after, "limit": limit})
            if not page.entries:
                break
            lines += page.entries
            after = page.entries[-1].rank
        return [line.claim() for line in [*lines, mine]]
