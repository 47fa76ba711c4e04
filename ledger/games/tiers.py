"""The published tier table and the tier it gives: the same arithmetic as RewardsGames.tierOf.

A table (JSON, `rewards-ledger/tiers@1`) names a base tier and up to eight tiers with ascending
thresholds on the ledger's lifetime earned (tier i when earned >= tiers[i-1].min_earned), their
perks (a reward multiplier the rules can use) and the downgrade policy:

- `{"policy": "none"}`: a held tier never drops, whatever later tables say;
- `{"policy": "recheck", "every_days": N, "grace_days": G}`: a held tier is kept N days after it
  was recorded (re-qualifying renews it) and G days after a new table, then follows the figures.

Upgrades take effect at once. Lifetime earned never decreases on the ledger, so a tier drops only
when a stricter table is published and the policy lets it.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ledger.games.document import Document, GamesError, amount, count, read_document, text

FORMAT = "rewards-ledger/tiers@1"
MAX_TIERS = 8
DAY = 86_400
POLICIES = {"none": 0, "recheck": 1}


@dataclass(frozen=True)
class TierTable:
    document: Document
    names: list[str]  # names[0] is the base tier, names[i] is tier i
    thresholds: list[int]  # thresholds[i - 1] reaches tier i
    multipliers_bp: list[int]
    policy: int
    hold_seconds: int
    grace_seconds: int

    @property
    def hash(self) -> bytes:
        return self.document.hash

    def computed(self, earned: int) -> int:
        """The tier the figures reach (binary search, as the contract)."""
        return bisect_right(self.thresholds, earned)

    def apply(self, computed: int, held: int, since: int, published_at: int, now: int) -> int:
        """The tier under the downgrade policy: `held` was recorded at `since`."""
        if computed >= held or self.policy == POLICIES["none"]:
            return max(computed, held)
        kept_until = max(since + self.hold_seconds, published_at + self.grace_seconds)
        return held if now < kept_until else computed

    def progress(self, earned: int, tier: int) -> dict[str, Any]:
        """What the next tier needs: its name, threshold and the amount still to earn."""
        if tier >= len(self.thresholds):
            return {"next": None, "threshold": None, "remaining": "0"}
        threshold = self.thresholds[tier]
        return {
            "next": self.names[tier + 1],
            "threshold": str(threshold),
            "remaining": str(max(0, threshold - earned)),
        }


def load_tier_table(path: Path) -> TierTable:
    return tier_table(read_document(path, FORMAT), str(path))


def tier_table(document: Document, source: str = "tiers") -> TierTable:
    """Validates a tier table document."""
    data = document.data
    if data.get("basis", "lifetime_earned") != "lifetime_earned":
        raise GamesError(f'{source}: basis must be "lifetime_earned" (rolling windows are not supported)')
    unknown = sorted(set(data) - {"format", "basis", "base", "tiers", "downgrade", "program"})
    if unknown:
        raise GamesError(f"{source}: unknown field {unknown[0]!r}")
    tiers = data.get("tiers")
    if not isinstance(tiers, list) or not 1 <= len(tiers) <= MAX_TIERS:
        raise GamesError(f"{source}: at tiers: 1 to {MAX_TIERS} tiers expected")
    names = [text(data.get("base", "member"), f"{source}: at base")]
    thresholds: list[int] = []
    multipliers = [10_000]
    for index, tier in enumerate(tiers):
        where = f"{source}: at tiers/{index}"
        if not isinstance(tier, dict):
            raise GamesError(f"{where}: expected an object")
        names.append(text(tier.get("name"), where))
        threshold = amount(tier.get("min_earned"), f"{where}/min_earned", positive=True)
        if threshold >= 2**128 or (thresholds and threshold <= thresholds[-1]):
            raise GamesError(f"{where}/min_earned: thresholds must ascend strictly (below 2^128)")
        thresholds.append(threshold)
        multipliers.append(count(tier.get("multiplier_bp", 10_000), f"{where}/multiplier_bp", 0, 100_000))
    if len(set(names)) != len(names):
        raise GamesError(f"{source}: at tiers: a tier name is used twice")
    policy, hold, grace = _downgrade(data.get("downgrade", {"policy": "none"}), source)
    return TierTable(document, names, thresholds, multipliers, policy, hold, grace)


def _downgrade(value: Any, source: str) -> tuple[int, int, int]:
    where = f"{source}: at downgrade"
    if not isinstance(value, dict) or value.get("policy") not in POLICIES:
        raise GamesError(f'{where}: policy must be "none" or "recheck"')
    if value["policy"] == "none":
        if set(value) != {"policy"}:
            raise GamesError(f'{where}: policy "none" takes no other field')
        return 0, 0, 0
    if set(value) != {"policy", "every_days", "grace_days"}:
        raise GamesError(f'{where}: policy "recheck" takes every_days and grace_days')
    every = count(value["every_days"], f"{where}/every_days", 1, 3650)
    grace = count(value["grace_days"], f"{where}/grace_days", 0, 3650)
    return 1, every * DAY, grace * DAY
