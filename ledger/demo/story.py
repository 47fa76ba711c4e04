"""Eight weeks of play: what the demo issues, pays, reverses and expires, week by week.

The crowd (thousands of players) gets the bulk: a welcome bonus, a week of cashback, a
tournament, some payouts. Five regular players get long histories: 50+ entries each, of every
kind (rewards single and in batches from four campaigns, payouts, reversals, expiries), so the
player page has several pages to show.

A pure plan, no chain: amounts come from fixed seeds, so every run plans the same acts with the
same references, and a resumed run skips what landed. Every debit is sized from the balances the
plan itself builds up, so none can exceed a balance.
"""

from __future__ import annotations

import random
from collections import defaultdict
from dataclasses import dataclass, field

from ledger.demo import seed

WEEKS = 8
REGULARS = 5
MISSION_DAYS = 4  # missions credited to each regular in a week's batch
CROWD_MISSIONS = 20  # crowd players in a week's mission batch
CROWD_CASHBACK = 40  # crowd players in a later week's cashback batch
TOURNAMENT_2_PLACES = (1, 4, 8, 15, 33)  # where the regulars finish

Rows = tuple[tuple[bytes, int, str], ...]


@dataclass(frozen=True)
class BatchFile:
    """Rows issued in bulk from `data/demo/<name>.csv`; the name is also the batch's label."""

    name: str
    campaign: str
    rows: Rows


@dataclass(frozen=True)
class Single:
    campaign: str
    player: bytes
    amount: int
    ref: str


@dataclass(frozen=True)
class Payout:
    player: bytes
    amount: int
    ref: str


@dataclass(frozen=True)
class Reversal:
    reward_ref: str  # the reference of the reward taken back: a single's, or a batch row's
    player: bytes
    amount: int
    reason: str


@dataclass(frozen=True)
class Expiry:
    player: bytes
    amount: int
    ref: str
    reason: str


Act = BatchFile | Single | Payout | Reversal | Expiry


@dataclass
class Week:
    number: int
    acts: list[Act] = field(default_factory=list)


def regular_ids() -> list[str]:
    """The operator's ids of the regular players (their keys come from the player-key secret)."""
    return [f"regular-{i:02d}" for i in range(1, REGULARS + 1)]


def entries(act: Act) -> int:
    return len(act.rows) if isinstance(act, BatchFile) else 1


class Book:
    """Balances as the planned acts leave them."""

    def __init__(self) -> None:
        self.balance: dict[bytes, int] = defaultdict(int)
        self.credits: dict[str, int] = {}

    def apply(self, act: Act) -> Act:
        if isinstance(act, BatchFile):
            for player, amount, ref in act.rows:
                self._credit(player, amount, ref)
        elif isinstance(act, Single):
            self._credit(act.player, act.amount, act.ref)
        else:
            if isinstance(act, Reversal) and act.amount > self.credits[act.reward_ref]:
                raise ValueError(f"reversal of {act.reward_ref} exceeds the reward")
            if not 0 < act.amount <= self.balance[act.player]:
                raise ValueError(f"{act} does not fit the balance {self.balance[act.player]}")
            self.balance[act.player] -= act.amount
        return act

    def share(self, player: bytes, part: float, step: int = 10) -> int:
        """`part` of the balance, rounded down to `step`."""
        return int(self.balance[player] * part) // step * step

    def _credit(self, player: bytes, amount: int, ref: str) -> None:
        self.balance[player] += amount
        self.credits[ref] = amount


def plan(crowd: list[bytes], regulars: list[bytes]) -> list[Week]:
    """Every act of the eight weeks, in the order they happen."""
    if len(crowd) < seed.MIN_PLAYERS:
        raise ValueError(f"the demo needs at least {seed.MIN_PLAYERS} players")
    book = Book()
    weeks = [Week(n) for n in range(1, WEEKS + 1)]
    for week in weeks:
        week.acts += [book.apply(act) for act in _credits(week.number, crowd, regulars)]
        week.acts += _crowd_debits(week.number, crowd, book)
        week.acts += _regular_debits(week.number, regulars, book)
    return weeks


def _credits(n: int, crowd: list[bytes], regulars: list[bytes]) -> list[Act]:
    acts: list[Act] = []
    if n == 1:
        acts.append(BatchFile("welcome", "welcome-bonus", tuple(seed.welcome_rows(crowd))))
    if n == 2:
        acts.append(BatchFile("cashback-week-1", "weekly-cashback", tuple(seed.cashback_rows(crowd))))
    if n == 4:
        acts.append(BatchFile("tournament-1", "tournament-prizes", tuple(seed.tournament_rows(crowd))))
    acts.append(BatchFile(f"missions-week-{n}", "daily-missions", _missions(n, crowd, regulars)))
    if n >= 3:  # cashback for the week before
        acts.append(BatchFile(f"cashback-week-{n - 1}", "weekly-cashback", _cashback(n - 1, crowd, regulars)))
    if n == WEEKS:
        acts.append(BatchFile("tournament-2", "tournament-prizes", _tournament_2(crowd, regulars)))
    rng = random.Random(f"streak-{n}")
    for i, key in enumerate(regulars, 1):
        if n == 1:
            acts.append(Single("welcome-bonus", key, 100, f"welcome-regular-{i:02d}"))
        else:
            acts.append(Single("daily-missions", key, rng.randint(100, 400), f"streak-w{n}-regular-{i:02d}"))
    return acts


def _crowd_debits(n: int, crowd: list[bytes], book: Book) -> list[Act]:
    """Week 2: some players cash out, a duplicate account loses its welcome bonus, an inactive
    player's balance expires."""
    if n != 2:
        return []
    acts: list[Act] = []
    for player, amount, ref in seed.payouts(crowd):
        if amount <= book.balance[player]:  # a payout that would not fit is left out
            acts.append(book.apply(Payout(player, amount, ref)))
    duplicate, inactive = crowd[-1], crowd[-2]
    if taken := min(100, book.balance[duplicate]):
        acts.append(book.apply(Reversal(f"welcome-{len(crowd):05d}", duplicate, taken, "duplicate account")))
    if left := book.balance[inactive]:
        acts.append(book.apply(Expiry(inactive, left, "expiry-inactive-1", "inactive 12 months")))
    return acts


def _regular_debits(n: int, regulars: list[bytes], book: Book) -> list[Act]:
    acts: list[Act] = []
    for i, key in enumerate(regulars, 1):
        tag = f"regular-{i:02d}"
        if n == 3:  # a mission of week 2 was counted twice
            ref = f"m2-1-{tag}"
            amount = min(book.credits[ref] // 2, book.balance[key])
            acts.append(book.apply(Reversal(ref, key, amount, "mission counted twice")))
        if n == 6:  # week 5's streak bonus was credited in error
            ref = f"streak-w5-{tag}"
            amount = min(book.credits[ref], book.balance[key])
            acts.append(book.apply(Reversal(ref, key, amount, "credited in error")))
        if n >= 2 and (amount := book.share(key, 0.4)) > 0:
            acts.append(book.apply(Payout(key, amount, f"cashout-w{n}-{tag}")))
        if n in (5, 8) and (amount := book.share(key, 0.25, step=1)) > 0:
            acts.append(book.apply(Expiry(key, amount, f"expiry-w{n}-{tag}", "unused for 4 weeks")))
    return acts


def _missions(n: int, crowd: list[bytes], regulars: list[bytes]) -> Rows:
    rng = random.Random(f"missions-{n}")
    rows = [
        (key, rng.randint(20, 250), f"m{n}-{day}-regular-{i:02d}")
        for i, key in enumerate(regulars, 1)
        for day in range(1, MISSION_DAYS + 1)
    ]
    active = len(crowd) - 2  # never the duplicate account or the inactive player
    picked = sorted(rng.sample(range(active), k=min(CROWD_MISSIONS, active)))
    return tuple(rows + [(crowd[j], rng.randint(20, 250), f"m{n}-{j + 1:05d}") for j in picked])


def _cashback(week: int, crowd: list[bytes], regulars: list[bytes]) -> Rows:
    rng = random.Random(f"cashback-{week}")
    rows = [(key, rng.randint(50, 1_500), f"cb{week}-regular-{i:02d}") for i, key in enumerate(regulars, 1)]
    active = len(crowd) - 2
    picked = sorted(rng.sample(range(active), k=min(CROWD_CASHBACK, active)))
    return tuple(rows + [(crowd[j], rng.randint(5, 1_500), f"cb{week}-{j + 1:05d}") for j in picked])


def _tournament_2(crowd: list[bytes], regulars: list[bytes]) -> Rows:
    rng = random.Random("tournament-2")
    prizes = [50_000, 30_000, 20_000] + [10_000] * 7 + [2_000] * 40
    others = rng.sample(range(len(crowd) - 2), k=min(len(prizes) - len(regulars), len(crowd) - 2))
    standings: dict[int, bytes] = dict(zip(TOURNAMENT_2_PLACES, regulars, strict=True))
    place = 1
    for j in others:
        while place in standings:
            place += 1
        standings[place] = crowd[j]
        place += 1
    return tuple((key, prizes[p - 1], f"t2-place-{p:02d}") for p, key in sorted(standings.items()))
