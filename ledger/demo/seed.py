"""Deterministic sample data for the demo: campaigns, players, and the crowd's rows and payouts.

Everything derives from the player index, so a second run rebuilds the same files and the same
references, and the ledger's used-once references make it skip what already landed. (The five
regular players with long histories are planned in `ledger.demo.story`.)
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from pathlib import Path

from ledger.playerkey import derive_player_key

TERMS_DIR = Path(__file__).resolve().parents[2] / "scripts" / "demo_terms"


MIN_PLAYERS = 10  # the crowd holds a duplicate account, an inactive player and then some


@dataclass(frozen=True)
class DemoCampaign:
    id: str
    terms_file: Path
    budget: int  # for the default 3,000 players; `budget_for` scales it to more
    per_player: int  # budget needed per player of the crowd, with room for the trickle
    days: int

    def budget_for(self, players: int) -> int:
        return max(self.budget, self.per_player * players)


# Created in this order: a ledger with the welcome bonus and no daily missions comes from an
# earlier demo, whose campaigns are too small for the long histories.
CAMPAIGNS = [
    DemoCampaign("daily-missions", TERMS_DIR / "missions.txt", 500_000, 0, 180),
    DemoCampaign("welcome-bonus", TERMS_DIR / "welcome.txt", 1_000_000, 200, 365),
    DemoCampaign("weekly-cashback", TERMS_DIR / "cashback.txt", 20_000_000, 5_000, 180),
    DemoCampaign("tournament-prizes", TERMS_DIR / "tournament.txt", 1_000_000, 0, 120),
]


def player_ids(count: int) -> list[str]:
    return [f"player-{i:05d}" for i in range(1, count + 1)]


def player_keys(secret: bytes, count: int) -> list[bytes]:
    return [derive_player_key(secret, pid) for pid in player_ids(count)]


def write_csv(path: Path, rows: list[tuple[bytes, int, str]]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = ["player,amount,reference"] + [f"0x{p.hex()},{amount},{ref}" for p, amount, ref in rows]
    text = "\n".join(lines) + "\n"
    if not path.exists() or path.read_text(encoding="utf-8") != text:
        path.write_text(text, encoding="utf-8")
    return path


def welcome_rows(keys: list[bytes]) -> list[tuple[bytes, int, str]]:
    return [(key, 100, f"welcome-{i:05d}") for i, key in enumerate(keys, 1)]


def cashback_rows(keys: list[bytes], week: int = 1) -> list[tuple[bytes, int, str]]:
    rng = random.Random(f"cashback-{week}")
    chosen = sorted(rng.sample(range(len(keys)), k=len(keys) // 2))
    return [(keys[i], rng.randint(5, 5_000), f"cb{week}-{i + 1:05d}") for i in chosen]


def tournament_rows(keys: list[bytes]) -> list[tuple[bytes, int, str]]:
    rng = random.Random("tournament-1")
    top = rng.sample(range(len(keys)), k=min(50, len(keys)))
    prizes = [50_000, 30_000, 20_000] + [10_000] * 7 + [2_000] * 40
    return [(keys[i], prizes[place], f"t1-place-{place + 1:02d}") for place, i in enumerate(top)]


def payouts(keys: list[bytes], count: int = 200) -> list[tuple[bytes, int, str]]:
    """Some players cash out part of their welcome bonus (always within their balance)."""
    rng = random.Random("payouts")
    chosen = sorted(rng.sample(range(len(keys)), k=min(count, len(keys))))
    return [(keys[i], rng.choice([25, 50, 100]), f"payout-{i + 1:05d}") for i in chosen]
