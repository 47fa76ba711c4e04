"""The reward engine: a pure, deterministic function of a rules document and one player's
activity over one period. Integers only; every division rounds down (floor). The page's
api/web/static/rules.js is the same engine, and tests/rules/vectors.json judges both.

Each rule gives an amount; the reward is their sum times the player's tier multiplier:
floor(sum * multiplier_bp / 10000), multiplier 10000 without a tier.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

BP = 10_000


@dataclass(frozen=True)
class Activity:
    """One player's figures for one period, as the operator states them (and the leaf commits)."""

    deposits: int = 0
    first_deposit: int = 0
    wins: int = 0
    carried_wager: int = 0  # wagering counted towards wagering requirements before this period
    tier: int = 0  # 0 no tier, i + 1 the rules' tiers[i]
    rank: int = 0  # 0 unranked, else 1 for first place...
    events: int = 0  # bit i set: the rules' events[i] happened
    wagers: tuple[int, ...] = ()  # by the rules' categories, in their order

    @property
    def wagered(self) -> int:
        return sum(self.wagers)


@dataclass(frozen=True)
class Part:
    """What one rule gave."""

    rule: str
    kind: str
    amount: int


@dataclass(frozen=True)
class Reward:
    total: int
    subtotal: int
    multiplier_bp: int
    parts: tuple[Part, ...] = field(default=())


RuleFn = Callable[[dict[str, Any], Activity, Mapping[str, Any]], int]


def fixed_bonus(rule: dict[str, Any], a: Activity, doc: Mapping[str, Any]) -> int:
    bit = doc["events"].index(rule["event"])
    qualifies = (a.events >> bit) & 1 and a.first_deposit >= rule.get("min_first_deposit", 0)
    return int(rule["amount"]) if qualifies else 0


def deposit_match(rule: dict[str, Any], a: Activity, doc: Mapping[str, Any]) -> int:
    matched: int = a.deposits * rule["percent_bp"] // BP
    cap: int = rule["cap"]
    return min(matched, cap)


def cashback(rule: dict[str, Any], a: Activity, doc: Mapping[str, Any]) -> int:
    value = max(0, a.wagered - a.wins) * rule["percent_bp"] // BP
    return 0 if value < rule["min"] else min(value, rule["cap"])


def points(rule: dict[str, Any], a: Activity, doc: Mapping[str, Any]) -> int:
    weights = rule["weights_bp"]
    weighted = sum(
        wager * weights.get(category, 0) for category, wager in zip(doc["categories"], a.wagers, strict=True)
    )
    result: int = weighted * rule["points"] // (rule["per"] * BP)
    return result


def prize_table(rule: dict[str, Any], a: Activity, doc: Mapping[str, Any]) -> int:
    prizes = rule["prizes"]
    return int(prizes[a.rank - 1]) if 1 <= a.rank <= len(prizes) else 0


def wagering_release(rule: dict[str, Any], a: Activity, doc: Mapping[str, Any]) -> int:
    target = rule["bonus"] * rule["multiple"]
    return rule["bonus"] if a.carried_wager < target <= a.carried_wager + a.wagered else 0


KINDS: dict[str, RuleFn] = {
    "fixed_bonus": fixed_bonus,
    "deposit_match": deposit_match,
    "cashback": cashback,
    "points": points,
    "prize_table": prize_table,
    "wagering_release": wagering_release,
}


class ActivityMismatch(ValueError):
    """Activity figures that do not fit the rules (wrong number of categories, unknown tier)."""


def check_activity(doc: Mapping[str, Any], a: Activity) -> None:
    if len(a.wagers) != len(doc["categories"]):
        raise ActivityMismatch(f"{len(a.wagers)} wagers for {len(doc['categories'])} categories")
    if not 0 <= a.tier <= len(doc.get("tiers", [])):
        raise ActivityMismatch(f"tier {a.tier} is not one of the rules' tiers")
    if a.events >> len(doc["events"]):
        raise ActivityMismatch("the event mask has bits for undeclared events")
    figures = (a.deposits, a.first_deposit, a.wins, a.carried_wager, a.rank, a.events, *a.wagers)
    if any(value < 0 for value in figures):
        raise ActivityMismatch("activity figures are never negative")


AMOUNT_FIELDS = ("amount", "min_first_deposit", "cap", "min", "per", "points", "bonus")


def prepare(data: Mapping[str, Any]) -> dict[str, Any]:
    """A validated document with its amounts as integers, as `compute` takes it."""
    rules = []
    for rule in data["rules"]:
        ready = {key: int(value) if key in AMOUNT_FIELDS else value for key, value in rule.items()}
        if "prizes" in rule:
            ready["prizes"] = [int(prize) for prize in rule["prizes"]]
        rules.append(ready)
    return {**data, "rules": rules}


def compute(doc: Mapping[str, Any], a: Activity) -> Reward:
    """The reward one player's activity earns under a rules document made ready by `prepare`."""
    check_activity(doc, a)
    parts = tuple(Part(r["id"], r["kind"], KINDS[r["kind"]](r, a, doc)) for r in doc["rules"])
    subtotal = sum(part.amount for part in parts)
    multiplier = doc["tiers"][a.tier - 1]["multiplier_bp"] if a.tier else BP
    return Reward(subtotal * multiplier // BP, subtotal, multiplier, parts)
