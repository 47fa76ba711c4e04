"""Where the mirror and the chain differ: the first divergent entry, and every differing figure."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, select

from ledger.audit.chainviews import ChainViews
from ledger.audit.mirror import Checkpoint, MirrorFold, entry_of
from ledger.audit.report import ReconcileReport
from ledger.chain.client import LedgerClient
from ledger.db import tables as t
from ledger.events import decode_log, entries_of
from ledger.hashchain import Entry
from ledger.model import PLAYER_FIGURES

ENTRY_FIELDS = ("kind", "campaign_id", "player", "amount", "ref", "aux")
# What the `players` table keeps beside balance and earned, checked against the entries.
PLAYER_STORED = (*(name for name in PLAYER_FIGURES if name not in ("balance", "earned")), "entries")


def _show(value: Any) -> str:
    return "0x" + value.hex() if isinstance(value, bytes) else str(getattr(value, "name", value)).lower()


def locate_divergence(
    report: ReconcileReport, client: LedgerClient, views: ChainViews, folded: MirrorFold, engine: Engine
) -> None:
    """Bisects the mirror's blocks on the chain's head, then compares that stretch entry by entry."""
    points = folded.checkpoints

    def agrees(point: Checkpoint) -> bool:
        return client.chain_state(block=point.block) == (point.count, point.head)

    low, high = 0, len(points)
    while low < high:
        middle = (low + high) // 2
        if agrees(points[middle]):
            low = middle + 1
        else:
            high = middle
    base = points[low - 1] if low else None
    start = base.block + 1 if base else folded.start_block
    end = points[low].block if low < len(points) else folded.block
    _compare_entries(report, views, engine, (start, end), base.count if base else 0)


def _compare_entries(
    report: ReconcileReport, views: ChainViews, engine: Engine, blocks: tuple[int, int], after: int
) -> None:
    start, end = blocks
    chain: dict[int, Entry] = {}
    for raw in views.logs(start, end):
        for item in entries_of(decode_log(raw)):
            if item.entry.seq > after:
                chain[item.entry.seq] = item.entry
    e = t.entries.c
    with engine.connect() as conn:
        rows = conn.execute(
            select(t.entries).where(e.seq > after, e.block_number <= end).order_by(e.seq)
        ).all()
    mirror = {row.seq: row for row in rows}
    for seq in sorted(chain.keys() | mirror.keys()):
        row = mirror.get(seq)
        key = f"entries seq {seq}" + (
            f" (block {row.block_number}, tx {row.tx_hash}, log {row.log_index})" if row else ""
        )
        found = chain.get(seq)
        before = len(report.differences) + report.omitted
        if found is None or row is None:
            report.add("entry", key, "present" if found else "absent", "present" if row else "missing")
        else:
            mine = entry_of(row)
            for name in ENTRY_FIELDS:
                if getattr(found, name) != getattr(mine, name):
                    report.add(f"entry {name}", key, _show(getattr(found, name)), _show(getattr(mine, name)))
        if report.first_divergent_seq is None and len(report.differences) + report.omitted > before:
            report.first_divergent_seq = seq
    if report.first_divergent_seq is None:
        report.first_divergent_seq = after + 1


def compare_aggregates(
    report: ReconcileReport, engine: Engine, views: ChainViews, folded: MirrorFold, current: bool
) -> None:
    """Totals, players and campaigns: derived from the entries, and as stored when `current`."""
    with engine.connect() as conn:
        totals = conn.execute(select(t.totals)).one()
        stored_players = {row.player: row for row in conn.execute(select(t.players))} if current else {}
        campaigns = list(conn.execute(select(t.campaigns).where(t.campaigns.c.created_block <= folded.block)))
    chain_totals = views.client.totals(block=folded.block)
    for name, value in folded.figures.totals.items():
        chain_value = getattr(chain_totals, name)
        if value != chain_value:
            report.add(f"total {name} (from entries)", "", chain_value, value)
        if current and getattr(totals, name) != chain_value:
            report.add(f"total {name}", "totals", chain_value, getattr(totals, name))
    if current and (totals.entry_count, totals.head) != (report.chain_entries, report.chain_head):
        report.add(
            "entry count and head",
            "totals",
            f"{report.chain_entries} {report.chain_head}",
            f"{totals.entry_count} {totals.head}",
        )
    _compare_players(report, views, folded, stored_players)
    _compare_campaigns(report, views, folded, campaigns, current)


def _compare_players(
    report: ReconcileReport, views: ChainViews, folded: MirrorFold, stored: dict[str, Any]
) -> None:
    keys = sorted(folded.figures.players.keys() | stored.keys())
    states = views.players([bytes.fromhex(k[2:]) for k in keys])
    report.players_checked = len(keys)
    for key, chain in zip(keys, states, strict=True):
        derived = folded.figures.players.get(key)
        row = stored.get(key)
        for name in ("balance", "earned"):
            chain_value = getattr(chain, name)
            if derived is not None and derived[name] != chain_value:
                report.add(f"player {name} (from entries)", f"player {key}", chain_value, derived[name])
            if stored and (row is None or getattr(row, name) != chain_value):
                report.add(
                    f"player {name}", f"players {key}", chain_value, getattr(row, name) if row else "missing"
                )
        if row is not None and derived is not None:
            for name in PLAYER_STORED:
                if getattr(row, name) != derived[name]:
                    report.add(
                        f"player {name}",
                        f"players {key}",
                        f"{derived[name]} (from entries)",
                        getattr(row, name),
                    )


def _compare_campaigns(
    report: ReconcileReport, views: ChainViews, folded: MirrorFold, rows: list[Any], current: bool
) -> None:
    states = views.campaigns([bytes.fromhex(row.campaign_id[2:]) for row in rows])
    report.campaigns_checked = len(rows)
    for row, chain in zip(rows, states, strict=True):
        key = f"campaigns {row.campaign_id}"
        closed = row.closed_block is not None and row.closed_block <= folded.block
        issued = folded.figures.campaigns.get(row.campaign_id, {}).get("issued", 0)
        pairs = [("budget", chain.budget, row.budget), ("terms hash", "0x" + chain.terms_hash.hex(), row.terms_hash),
                 ("closed", chain.closed, closed), ("issued (from entries)", chain.issued, issued)]  # fmt: skip
        if current:
            pairs.append(("issued", chain.issued, row.issued))
        for name, chain_value, mirror_value in pairs:
            if chain_value != mirror_value:
                report.add(f"campaign {name}", key, chain_value, mirror_value)
