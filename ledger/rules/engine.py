"""The reward engine: a pure, deterministic function of a rules document and one player's
activity over one period. Integers only; every division rounds down (floor). The page's
api/web/static/rules.js is the same engine, and tests/rules/vectors.json judges both.

Each rule gives an amount; the reward is their sum times the player's tier multiplier:
floor(sum * multiplier_bp / 10000), multiplier 10000 without a tier. An `Engine` binds a
validated document's figures once, so a million players cost a few function calls each.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, NamedTuple

BP = 10_000


class Activity(NamedTuple):
    """One player's figures for one period, as the operator states them (and the leaf commits)."""

    deposits: int = 0
    first_deposit: int = 0
    wins: int = 0
    carried_wager: int = 0  # wagering counted towards wagering requirements before this period
    tier: int = 0  # 0 no tier, i + 1 the rules' tiers[i]
    rank: int = 0  # 0 unranked, else 1 for first place...
    events: int = 0  # bit i set: the rules' events[i] happened
    wagers: tuple[int, ...] = ()  # by the rules' categories, in their order


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
    parts: tuple[Part, ...]


RuleFn = Callable[[Activity], int]


def fixed_bonus(rule: Mapping[str, Any], doc: Mapping[str, Any]) -> RuleFn:
    bit, amount = 1 << doc["events"].index(rule["event"]), int(rule["amount"])
    least = int(rule.get("min_first_deposit", "0"))
    return lambda a: amount if a.events & bit and a.first_deposit >= least else 0


def deposit_match(rule: Mapping[str, Any], doc: Mapping[str, Any]) -> RuleFn:
    percent, cap = int(rule["percent_bp"]), int(rule["cap"])
    return lambda a: min(a.deposits * percent // BP, cap)


def cashback(rule: Mapping[str, Any], doc: Mapping[str, Any]) -> RuleFn:
    percent, least, cap = int(rule["percent_bp"]), int(rule["min"]), int(rule["cap"])

    def fn(a: Activity) -> int:
        value = max(0, sum(a.wagers) - a.wins) * percent // BP
        return 0 if value < least else min(value, cap)

    return fn


def points(rule: Mapping[str, Any], doc: Mapping[str, Any]) -> RuleFn:
    weights = [int(rule["weights_bp"].get(category, 0)) for category in doc["categories"]]
    each, divisor = int(rule["points"]), int(rule["per"]) * BP
    return lambda a: sum(w * x for w, x in zip(weights, a.wagers, strict=True)) * each // divisor


def prize_table(rule: Mapping[str, Any], doc: Mapping[str, Any]) -> RuleFn:
    prizes = [int(prize) for prize in rule["prizes"]]
    return lambda a: prizes[a.rank - 1] if 1 <= a.rank <= len(prizes) else 0


def wagering_release(rule: Mapping[str, Any], doc: Mapping[str, Any]) -> RuleFn:
    bonus = int(rule["bonus"])
    target = bonus * int(rule["multiple"])
    return lambda a: bonus if a.carried_wager < target <= a.carried_wager + sum(a.wagers) else 0


KINDS: dict[str, Callable[[Mapping[str, Any], Mapping[str, Any]], RuleFn]] = {
    "fixed_bonus": fixed_bonus,
    "deposit_match": deposit_match,
    "cashback": cashback,
    "points": points,
    "prize_table": prize_table,
    "wagering_release": wagering_release,
}


class ActivityMismatch(ValueError):
    """Activity figures that do not fit the rules (wrong number of categories, unknown tier)."""


class Engine:
    """A validated rules document, ready to compute rewards."""

    def __init__(self, doc: Mapping[str, Any]) -> None:
        self.rules = [(rule["id"], rule["kind"], KINDS[rule["kind"]](rule, doc)) for rule in doc["rules"]]
        self.functions = [fn for _, _, fn in self.rules]
        self.multipliers = [BP, *(int(tier["multiplier_bp"]) for tier in doc.get("tiers", []))]
        self.categories, self.events = len(doc["categories"]), len(doc["events"])

    def check(self, a: Activity) -> None:
        if len(a.wagers) != self.categories:
            raise ActivityMismatch(f"{len(a.wagers)} wagers for {self.categories} categories")
        if not 0 <= a.tier < len(self.multipliers):
            raise ActivityMismatch(f"tier {a.tier} is not one of the rules' tiers")
        if a.events >> self.events:
            raise ActivityMismatch("the event mask has bits for undeclared events")
        if min(a.deposits, a.first_deposit, a.wins, a.carried_wager, a.rank, a.events, *a.wagers) < 0:
            raise ActivityMismatch("activity figures are never negative")

    def total(self, a: Activity) -> int:
        """The reward alone, for activity already checked (as the activity file's reader does)."""
        subtotal = 0
        for fn in self.functions:
            subtotal += fn(a)
        return subtotal * self.multipliers[a.tier] // BP

    def reward(self, a: Activity) -> Reward:
        """The reward with what each rule gave; checks the activity first."""
        self.check(a)
        parts = tuple(Part(rule, kind, fn(a)) for rule, kind, fn in self.rules)
        subtotal = sum(part.amount for part in parts)
        multiplier = self.multipliers[a.tier]
        return Reward(subtotal * multiplier // BP, subtotal, multiplier, parts)


def compute(doc: Mapping[str, Any], a: Activity) -> Reward:
    """The reward one player's activity earns under a validated rules document."""
    return Engine(doc).reward(a)
