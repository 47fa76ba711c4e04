"""Moving the mirror's stored figures (players, campaigns, totals) by a `Figures` delta.

The indexer's load adds a block range's figures; a reorg's rollback adds the negative of what it
removes. Amounts are read, added as exact Python integers and written back, never summed in SQL
(SQLite keeps uint256 as text).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from sqlalchemy import Connection, select, update

from ledger.db import tables as t
from ledger.model import CAMPAIGN_FIGURES, PLAYER_FIGURES, TOTALS, PlayerFigures

IN_CHUNK = 500  # keys per IN (...) lookup


def chunks(keys: list[str]) -> Iterator[list[str]]:
    for i in range(0, len(keys), IN_CHUNK):
        yield keys[i : i + IN_CHUNK]


def add_to_campaigns(conn: Connection, moved: dict[str, dict[str, int]]) -> None:
    """Adds each campaign's moved figures to its row."""
    c = t.campaigns.c
    columns = [c[name] for name in CAMPAIGN_FIGURES]
    for keys in chunks(list(moved)):
        for row in conn.execute(select(c.campaign_id, *columns).where(c.campaign_id.in_(keys))):
            delta = moved[row.campaign_id]
            values = {name: row._mapping[name] + delta[name] for name in CAMPAIGN_FIGURES}
            conn.execute(update(t.campaigns).where(c.campaign_id == row.campaign_id).values(**values))


def add_to_totals(conn: Connection, moved: dict[str, int], **also: Any) -> None:
    """Adds the moved totals to the single `totals` row (and sets any other columns given)."""
    current = conn.execute(select(t.totals).where(t.totals.c.id == 1)).one()
    values: dict[str, Any] = {name: getattr(current, name) + moved[name] for name in TOTALS}
    conn.execute(update(t.totals).where(t.totals.c.id == 1).values(**values, **also))


def add_to_players(conn: Connection, moved: dict[str, PlayerFigures]) -> None:
    """Adds each player's moved amounts to their row (entry counts and spans are not touched)."""
    c = t.players.c
    for keys in chunks(list(moved)):
        for row in conn.execute(select(t.players).where(c.player.in_(keys))):
            delta = moved[row.player].values
            values = {name: row._mapping[name] + delta[name] for name in PLAYER_FIGURES}
            conn.execute(update(t.players).where(c.player == row.player).values(**values))
