"""Games from the mirror: a tournament's leaderboard pages with proofs (keyset by rank), a
player's standing, badges with evidence, and the tier the figures give under the latest table."""

from __future__ import annotations

import json
from typing import Any

import orjson

from api.store.common import decimal
from api.store.reader import Reader
from ledger.errors import NotFound
from ledger.games.document import parse_document
from ledger.games.tiers import FORMAT as TIERS_FORMAT
from ledger.games.tiers import tier_table

_TOURNAMENT_SQL = (
    "SELECT commit_index, root, participants, final FROM games_tournaments WHERE tournament_id = :tid"
)


_PAGE_SQL = "SELECT rank, line FROM games_standings WHERE tournament_id = :tid AND rank > :after ORDER BY rank LIMIT :limit"
_PLAYER_SQL = "SELECT line FROM games_standings WHERE tournament_id = :tid AND player = :player"


async def _tournament(reader: Reader, tid: str) -> dict[str, Any]:
    rows = await reader.rows(_TOURNAMENT_SQL, {"tid": tid})
    if not rows:
        raise NotFound(f"tournament {tid} has no committed standings in the mirror")
    index, root, participants, final = rows[0]
    return {
        "tournament_id": tid, "commit_index": int(index), "root": root, "participants": int(participants),
        "final": bool(final), "leaf_types": ["bytes32", "uint256", "uint256"],
    }  # fmt: skip


async def leaderboard(reader: Reader, tid: str, after: int, limit: int) -> bytes:
    """The leaderboard page as JSON: the ranks after `after`, each line (leaf and proof) as the
    mirror stored it, joined without decoding (a line with its proof is about 1 KB)."""
    head = await _tournament(reader, tid)
    rows = await reader.rows(_PAGE_SQL, {"tid": tid, "after": after, "limit": limit})
    last = int(rows[-1][0]) if rows else after
    more = len(rows) == limit and last < head["participants"]
    fields = orjson.dumps(head | {"next_after_rank": last if more else None})
    return fields[:-1] + b',"entries":[' + ",".join(str(row[1]) for row in rows).encode() + b"]}"


async def standing(reader: Reader, tid: str, player: str) -> dict[str, Any]:
    """One player's leaf and proof in the tournament's latest standings."""
    head = await _tournament(reader, tid)
    rows = await reader.rows(_PLAYER_SQL, {"tid": tid, "player": player})
    if not rows:
        raise NotFound(f"player {player} is not in the standings of tournament {tid}")
    return head | {"entry": json.loads(rows[0][0])}


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
