"""The aggregates: the `players`, `campaigns` and `totals` tables against the chain at the block.

Balances, lifetime earned, campaigns' budgets, windows, terms and issued amounts and the global
totals are compared with the contract's views; the figures the contract keeps no view of (a
player's paid, reversed and expired amounts, entry count and span, a campaign's reversed amount)
with the same figures derived from the chain's entries, which fold to the contract's head. A
campaign's creation and closure are compared with the events that recorded them. Below the
mirror's newest block the stored tables hold later figures, so only the campaigns' fixed columns
are compared there.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection

from ledger.audit import store
from ledger.audit.chainviews import ChainViews
from ledger.audit.expected import ChainFold, Expected
from ledger.audit.report import ReconcileReport
from ledger.model import PLAYER_FIGURES, TOTALS, PlayerFigures

PLAYERS_AT_ONCE = 2_000  # players compared per round of view calls
# What the `players` table keeps beside balance and earned, checked against the chain's entries.
PLAYER_STORED = (
    *(name for name in PLAYER_FIGURES if name not in ("balance", "earned")),
    "entries", "first_seq", "last_seq", "last_block",
)  # fmt: skip
SPANS = ("first_seq", "last_seq", "last_block")  # attributes of `PlayerFigures`, not amounts


@dataclass
class Campaigns:
    """How the chain's logs created and closed campaigns, gathered range by range."""

    created: dict[str, dict[str, Any]] = field(default_factory=dict)
    closed: dict[str, int] = field(default_factory=dict)

    def gather(self, expected: Expected) -> None:
        self.created.update(expected.created)
        self.closed.update(expected.closed)


def compare_aggregates(
    report: ReconcileReport, conn: Connection, views: ChainViews, chain: ChainFold, campaigns: Campaigns,
    current: bool,
) -> None:  # fmt: skip
    """Campaigns at any block; at the mirror's newest block (`current`) players and totals too."""
    if current:
        _compare_totals(report, conn, views)
        _compare_players(report, views, chain, store.players(conn))
    _compare_campaigns(report, views, chain, campaigns, store.campaigns(conn), current)


def _compare_totals(report: ReconcileReport, conn: Connection, views: ChainViews) -> None:
    totals = store.totals(conn)
    chain_totals = views.totals()
    for name in TOTALS:
        if getattr(totals, name) != getattr(chain_totals, name):
            report.add(f"total {name}", "totals", getattr(chain_totals, name), getattr(totals, name))
    # the contract's liability (kept in storage by a settling ledger) is every balance, summed
    outstanding = totals.issued - totals.paid - totals.reversed - totals.expired
    liability = int(views.call("cashoutState")["liability"])
    if liability != outstanding:
        report.add("liability", "totals", liability, outstanding)
    if (totals.entry_count, totals.head) != (report.chain_entries, report.chain_head):
        report.add(
            "entry count and head",
            "totals",
            f"{report.chain_entries} {report.chain_head}",
            f"{totals.entry_count} {totals.head}",
        )


def _compare_players(
    report: ReconcileReport, views: ChainViews, chain: ChainFold, stored: Iterator[Any]
) -> None:
    """Every stored player against the chain; then every player with entries but no row."""
    unmet = dict(chain.figures.players)  # the table's order need not be Python's
    chunk: list[tuple[Any, PlayerFigures]] = []
    for row in stored:
        report.players_checked += 1
        derived = unmet.pop(row.player, None)
        if derived is None:
            report.add("player", f"players {row.player}", "absent", "present")
            continue
        chunk.append((row, derived))
        if len(chunk) == PLAYERS_AT_ONCE:
            _compare_chunk(report, views, chunk)
            chunk = []
    _compare_chunk(report, views, chunk)
    for key in sorted(unmet):
        report.players_checked += 1
        report.add("player", f"players {key}", "present", "missing")


def _compare_chunk(
    report: ReconcileReport, views: ChainViews, chunk: list[tuple[Any, PlayerFigures]]
) -> None:
    states = views.players([bytes.fromhex(row.player[2:]) for row, _ in chunk]) if chunk else []
    for (row, derived), state in zip(chunk, states, strict=True):
        where = f"players {row.player}"
        for name in ("balance", "earned"):
            if getattr(row, name) != getattr(state, name):
                report.add(f"player {name}", where, getattr(state, name), getattr(row, name))
        for name in PLAYER_STORED:
            value = getattr(derived, name) if name in SPANS else derived[name]
            if getattr(row, name) != value:
                report.add(f"player {name}", where, value, getattr(row, name))


def _compare_campaigns(
    report: ReconcileReport, views: ChainViews, fold: ChainFold, chain: Campaigns, rows: list[Any],
    current: bool,
) -> None:  # fmt: skip
    at = views.block
    stored = {row.campaign_id: row for row in rows if current or row.created_block <= at}
    report.campaigns_checked = len(stored.keys() | chain.created.keys())
    for key in sorted(stored.keys() ^ chain.created.keys()):
        present = key in chain.created
        report.add(
            "campaign",
            f"campaigns {key}",
            "present" if present else "absent",
            "missing" if present else "present",
        )
    keys = sorted(stored.keys() & chain.created.keys())
    states = views.campaigns([bytes.fromhex(key[2:]) for key in keys]) if keys else []
    for key, state in zip(keys, states, strict=True):
        row, created = stored[key], chain.created[key]
        # Below the newest block, a closure the mirror holds from later blocks is not yet one.
        later = row.closed_block is not None and row.closed_block > at
        closed_block = None if later and not current else row.closed_block
        derived = fold.figures.campaigns.get(key, {})
        pairs = [
            ("budget", state.budget, row.budget), ("start_time", state.start, row.start_time),
            ("end_time", state.end, row.end_time), ("terms_hash", "0x" + state.terms_hash.hex(), row.terms_hash),
            ("created_block", created["created_block"], row.created_block),
            ("created_tx", created["created_tx"], row.created_tx),
            ("closed_block", chain.closed.get(key), closed_block),
            ("closed", state.closed, row.closed if current else closed_block is not None),
        ]  # fmt: skip
        if current:
            pairs += [
                ("issued", state.issued, row.issued),
                ("reversed", derived.get("reversed", 0), row.reversed),
            ]
        for name, chain_value, mirror_value in pairs:
            if chain_value != mirror_value:
                report.add(f"campaign {name}", f"campaigns {key}", chain_value, mirror_value)
