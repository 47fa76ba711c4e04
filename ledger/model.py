"""The entry model: what each kind of ledger entry moves, and the figures every layer folds.

One table, `RULES`, says for every entry kind how it moves a player's balance and lifetime
figures, the campaign it names and the ledger's totals. The indexer's transform, its reorg undo,
the audit's fold of the mirror, the player's verification and the API all move figures through
`Figures`, so a new kind is one row here (and its event in `ledger.events`), nothing else.

The hashed fields of an entry and the hash-chain fold live in `ledger.hashchain`; the batch row
codec in `ledger.encoding`; the contract's events as entries in `ledger.events`.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Generic, TypeVar

from ledger.hashchain import Entry, EntryKind

K = TypeVar("K", bound=Hashable)


@dataclass(frozen=True)
class KindRule:
    """How one kind of entry moves the ledger's figures."""

    kind: EntryKind
    name: str  # as the mirror, the API and the page spell it
    credit: bool  # True: adds to the balance (and lifetime earned); False: takes from it
    player_figure: str  # the player's lifetime figure it adds to
    total: str  # the ledger's total it adds to (the contract's `totals()` field)
    campaign_figure: str | None  # the campaign's figure it adds to, if it names a campaign
    event: str  # the contract event that records one such entry
    batch_event: str | None = None  # the event that records many at once, if any


RULES: dict[EntryKind, KindRule] = {
    rule.kind: rule
    for rule in (
        KindRule(
            EntryKind.ISSUED, "issued", True, "earned", "issued", "issued", "RewardIssued", "BatchIssued"
        ),
        KindRule(EntryKind.PAID, "paid", False, "paid", "paid", None, "PayoutRecorded"),
        KindRule(EntryKind.REVERSED, "reversed", False, "reversed", "reversed", "reversed", "RewardReversed"),
        KindRule(EntryKind.EXPIRED, "expired", False, "expired", "expired", None, "BalanceExpired"),
    )
}
BY_NAME: dict[str, KindRule] = {rule.name: rule for rule in RULES.values()}
KIND_NAMES: dict[EntryKind, str] = {kind: rule.name for kind, rule in RULES.items()}
TOTALS: tuple[str, ...] = tuple(rule.total for rule in RULES.values())
PLAYER_FIGURES: tuple[str, ...] = ("balance", *(rule.player_figure for rule in RULES.values()))
CAMPAIGN_FIGURES: tuple[str, ...] = tuple(
    dict.fromkeys(rule.campaign_figure for rule in RULES.values() if rule.campaign_figure)
)


def rule_of(kind: EntryKind | str) -> KindRule:
    """The rule of a kind, by enum or by name; `KeyError` for an unknown one."""
    return BY_NAME[kind] if isinstance(kind, str) else RULES[kind]


def balance_change(kind: EntryKind | str, amount: int) -> int:
    """What an entry of `kind` and `amount` does to the player's balance."""
    return amount if rule_of(kind).credit else -amount


@dataclass
class PlayerFigures:
    """A player's figures: balance, the lifetime figure of every kind, entries and their span."""

    values: dict[str, int] = field(default_factory=lambda: dict.fromkeys(PLAYER_FIGURES, 0))
    entries: int = 0
    first_seq: int = 0
    last_seq: int = 0
    last_block: int = 0

    def __getitem__(self, name: str) -> int:
        return self.entries if name == "entries" else self.values[name]


@dataclass
class Figures(Generic[K]):
    """Running figures of a stretch of entries: per player, per campaign and for the ledger.

    Amounts are exact Python integers. Applied to deltas (the indexer's block ranges, a reorg's
    undo) the values may go negative; applied to a whole history they are the ledger's state.
    Keys are whatever the caller uses for players and campaigns (bytes or 0x-hex).
    """

    players: dict[K, PlayerFigures] = field(default_factory=dict)
    campaigns: dict[K, dict[str, int]] = field(default_factory=dict)
    totals: dict[str, int] = field(default_factory=lambda: dict.fromkeys(TOTALS, 0))

    def apply(
        self,
        kind: EntryKind | str,
        amount: int,
        player: K,
        campaign: K | None = None,
        seq: int = 0,
        block: int = 0,
        sign: int = 1,
    ) -> PlayerFigures:
        """Moves the figures by one entry (`sign=-1` takes it back); returns the player's."""
        rule = rule_of(kind)
        moved = sign * amount
        figures = self.players.get(player)
        if figures is None:
            figures = self.players[player] = PlayerFigures(first_seq=seq)
        values = figures.values
        values["balance"] += moved if rule.credit else -moved
        values[rule.player_figure] += moved
        figures.entries += sign
        if seq > figures.last_seq:
            figures.last_seq, figures.last_block = seq, block
        self.totals[rule.total] += moved
        if rule.campaign_figure is not None and campaign is not None:
            amounts = self.campaigns.get(campaign)
            if amounts is None:
                amounts = self.campaigns[campaign] = dict.fromkeys(CAMPAIGN_FIGURES, 0)
            amounts[rule.campaign_figure] += moved
        return figures

    def apply_entry(self, entry: Entry, player: K, campaign: K | None, block: int = 0) -> None:
        """`apply` for a hashed entry; the caller names the keys it files the entry under."""
        self.apply(entry.kind, entry.amount, player, campaign, entry.seq, block)

    def undo(self, kind: EntryKind | str, amount: int, player: K, campaign: K | None = None) -> None:
        """Takes one entry back out of the figures (a reorg's rollback)."""
        self.apply(kind, amount, player, campaign, sign=-1)


def sums_by_kind(entries: Iterable[tuple[str, int]]) -> dict[str, int]:
    """The total amount of each kind among `(kind name, amount)` pairs (every kind present)."""
    sums = dict.fromkeys(BY_NAME, 0)
    for kind, amount in entries:
        sums[rule_of(kind).name] += amount
    return sums


def balance_of(sums: Mapping[str, int]) -> int:
    """The balance that amounts by kind add up to."""
    return sum(balance_change(kind, amount) for kind, amount in sums.items())


def earned_of(sums: Mapping[str, int]) -> int:
    """The lifetime earned that amounts by kind add up to."""
    return sum(amount for kind, amount in sums.items() if rule_of(kind).player_figure == "earned")
