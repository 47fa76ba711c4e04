"""Games routes: a player's tier and badges, a tournament's leaderboard pages with proofs."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import Response

from api.deps import context_of, player_key, raw_json
from api.errors import ERROR_RESPONSES
from api.formats import ID_PATTERN, PLAYER_CONSTRAINTS, PLAYER_DESCRIPTION
from api.params import known_query_only
from api.store import games
from ledger.encoding import text_to_bytes

router = APIRouter(prefix="/v1/games", tags=["games"], responses={**ERROR_RESPONSES})
KNOWN_ONLY = [Depends(known_query_only)]

TournamentId = Annotated[str, Path(pattern=ID_PATTERN, description="tournament id: text or 0x-hex")]
PlayerPath = Annotated[str, Path(**PLAYER_CONSTRAINTS, description=PLAYER_DESCRIPTION)]
AfterRank = Annotated[int, Query(ge=0, le=2**32, description="the last rank of the previous page")]
Limit = Annotated[int, Query(ge=1, le=500)]


def _tid(value: str) -> str:
    return "0x" + text_to_bytes(value, what="tournament id").hex()


@router.get("/tournaments/{tournament}/leaderboard", dependencies=KNOWN_ONLY)
async def get_leaderboard(
    request: Request, tournament: TournamentId, after_rank: AfterRank = 0, limit: Limit = 50
) -> Response:
    """A page of the latest committed standings, by rank, each leaf with its Merkle proof."""
    context = context_of(request)
    body = await context.mirror.hot(games.leaderboard, _tid(tournament), after_rank, limit)
    return Response(body, media_type="application/json")


@router.get("/tournaments/{tournament}/players/{player}", dependencies=KNOWN_ONLY)
async def get_standing(request: Request, tournament: TournamentId, player: PlayerPath) -> Response:
    """The player's leaf (score, rank) and proof in the latest committed standings."""
    context = context_of(request)
    return raw_json(await context.mirror.hot(games.standing, _tid(tournament), player_key(player)))


@router.get("/players/{player}/badges", dependencies=KNOWN_ONLY)
async def get_badges(request: Request, player: PlayerPath) -> Response:
    """The player's badges with each rule and its evidence (their hashes are on chain)."""
    context = context_of(request)
    return raw_json(await context.mirror.hot(games.badges, player_key(player)))


@router.get("/players/{player}/tier", dependencies=KNOWN_ONLY)
async def get_tier(request: Request, player: PlayerPath) -> Response:
    """The player's tier from their lifetime earned under the latest table, the progress and rule."""
    context = context_of(request)
    fields: dict[str, Any] = await context.mirror.hot(games.tier, player_key(player))
    return raw_json(fields)
