"""Writing the games' published facts into the SQL mirror, where the API serves them from:
tier tables, awarded badges with their evidence, and each tournament's latest standings with
every leaf's proof (precomputed, so a leaderboard page is one indexed range read)."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import Engine, delete, insert

from ledger.db.tables import TABLES, upsert
from ledger.games.standings import Standings
from ledger.rules.document import canonical_bytes

CHUNK = 5_000


def save_tier_table(engine: Engine, version: int, table_hash: bytes, canonical: bytes) -> None:
    row = {"version": version, "table_hash": "0x" + table_hash.hex(), "document": canonical.decode()}
    with engine.begin() as conn:
        upsert(conn, TABLES["games_tier_tables"], [row], ["version"])


def save_badge(
    engine: Engine, player: bytes, badge: bytes, rule: dict[str, Any], evidence: dict[str, Any]
) -> None:
    row = {
        "player": "0x" + player.hex(), "badge_id": "0x" + badge.hex(),
        "rule": canonical_bytes(rule).decode(), "evidence": canonical_bytes(evidence).decode(),
    }  # fmt: skip
    with engine.begin() as conn:
        upsert(conn, TABLES["games_badges"], [row], ["player", "badge_id"])


def line(rank: int, player: bytes, score: int, proof: list[bytes]) -> dict[str, Any]:
    """A leaderboard line as the API serves it (rendered once, when the standings are saved)."""
    return {
        "rank": rank,
        "player": "0x" + player.hex(),
        "score": str(score),
        "proof": ["0x" + p.hex() for p in proof],
    }


def save_standings(engine: Engine, tournament: bytes, standings: Standings, index: int, final: bool) -> None:
    """Replaces the tournament's standings with these, in one transaction."""
    tid = "0x" + tournament.hex()
    table = TABLES["games_standings"]
    head = {
        "tournament_id": tid, "commit_index": index, "root": "0x" + standings.root.hex(),
        "participants": len(standings.ranked), "final": final,
    }  # fmt: skip
    with engine.begin() as conn:
        conn.execute(delete(table).where(table.c.tournament_id == tid))
        rows = (
            {"tournament_id": tid, "rank": s.rank, "player": "0x" + s.player.hex(), "score": s.score,
             "line": json.dumps(line(s.rank, s.player, s.score, standings.proof(s.rank)), separators=(",", ":"))}
            for s in standings.ranked
        )  # fmt: skip
        batch: list[dict[str, Any]] = []
        for row in rows:
            batch.append(row)
            if len(batch) == CHUNK:
                conn.execute(insert(table), batch)
                batch = []
        if batch:
            conn.execute(insert(table), batch)
        upsert(conn, TABLES["games_tournaments"], [head], ["tournament_id"])
