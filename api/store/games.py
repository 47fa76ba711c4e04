"""Games from the mirror: a tournament's leaderboard pages with proofs (keyset by rank), a
player's standing, badges with evidence, and the tier the figures give under the latest table."""

from __future__ import annotations

import json
from typing import Any

from api.store.common import decimal
from api.store.reader import Reader
from ledger.errors import NotFound
from ledger.games.document import parse_document
from ledger.games.tiers import FORMAT as TIERS_FORMAT
from ledger.games.tiers import tier_table

_TOURNAMENT_SQL = (
    "SELECT commit_index, root, participants, final FROM games_tournaments WHERE tournament_id = :tid"
)


def _page_sql(reader: Reader) -> str:
    return (
        f"SELECT rank, player, {reader.amount('score')}, proof FROM games_standings"
        " WHERE tournament_id = :tid AND rank > :after ORDER BY rank LIMIT :limit"
    )


def _player_sql(reader: Reader) -> str:
    return (
        f"SELECT rank, player, {reader.amount('score')}, proof FROM games_standings"
        " WHERE tournament_id = :tid AND player = :player"
    )


def _line(row: Any) -> dict[str, Any]:
    proof = row[3]
    return {
        "rank": int(row[0]), "player": row[1], "score": decimal(row[2]),
        "proof": ["0x" + proof[i : i + 64] for i in range(0, len(proof), 64)],
    }  # fmt: skip


async def _tournament(reader: Reader, tid: str) -> dict[str, Any]:
    rows = await reader.rows(_TOURNAMENT_SQL, {"tid": tid})
    if not rows:
        raise NotFound(f"tournament {tid} has no committed standings in the mirror")
    index, root, participants, final = rows[0]
    return {
        "tournament_id": tid, "commit_index": int(index), "root": root, "participants": int(participants),
        "final": bool(final), "leaf_types": ["bytes32", "uint256", "uint256"],
    }  # fmt: skip


async def leaderboard(reader: Reader, tid: str, after: int, limit: int) -> dict[str, Any]:
    """`LeaderboardPublic` fields: the ranks after `after`, each leaf with its proof."""
    head = await _tournament(reader, tid)
    rows = await reader.rows(_page_sql(reader), {"tid": tid, "after": after, "limit": limit})
    lines = [_line(row) for row in rows]
    more = len(lines) == limit and lines[-1]["rank"] < head["participants"]
    return head | {"entries": lines, "next_after_rank": lines[-1]["rank"] if more else None}


async def standing(reader: Reader, tid: str, player: str) -> dict[str, Any]:
    """One player's leaf and proof in the tournament's latest standings."""
    head = await _tournament(reader, tid)
    rows = await reader.rows(_player_sql(reader), {"tid": tid, "player": player})
    if not rows:
        raise NotFound(f"player {player} is not in the standings of tournament {tid}")
    return head | {"entry": _line(rows[0])}


async def badges(reader: Reader, player: str) -> dict[str, Any]:
    """The player's awarded badges: each rule and its evidence, as hashed on chain."""
    rows = await reader.rows(
        "SELECT badge_id, rule, evidence FROM games_badges WHERE player = :player ORDER BY badge_id",
        {"player": player},
    )
    return {
        "player": player,
        "badges": [{"badge_id": r[0], "rule": json.loads(r[1]), "evidence": json.loads(r[2])} for r in rows],
    }


async def tier(reader: Reader, player: str) -> dict[str, Any]:
    """The tier the player's lifetime earned reaches under the latest published table, the
    progress to the next, and the rule that decided it."""
    tables = await reader.rows(
        "SELECT version, table_hash, document FROM games_tier_tables ORDER BY version DESC LIMIT 1", {}
    )
    if not tables:
        raise NotFound("no tier table is published in the mirror")
    version, table_hash, document = tables[0]
    table = tier_table(parse_document(document, TIERS_FORMAT, "tier table"))
    rows = await reader.rows(
        f"SELECT {reader.amount('earned')} FROM players WHERE player = :player", {"player": player}
    )
    earned = int(decimal(rows[0][0])) if rows else 0
    level = table.computed(earned)
    rule = "below every threshold" if level == 0 else f"lifetime earned >= {table.thresholds[level - 1]}"
    return {
        "player": player, "tier": level, "name": table.names[level], "earned": str(earned),
        "multiplier_bp": table.multipliers_bp[level], "rule": rule, "progress": table.progress(earned, level),
        "table_version": int(version), "table_hash": table_hash, "table": json.loads(document),
    }  # fmt: skip
