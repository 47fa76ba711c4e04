"""Player routes: balance, history, single entries and the balance proof.

These are the API's hot routes, shaped by measurement: FastAPI resolves every nested dependency
per request (about 15 µs each, and as much for a declared path parameter), so balance and
history take the request alone and reach the player key, the context and the query through plain
calls (`path_player`, `context_of`, `parse_query`), their parameters documented by `documented`;
and they return their already validated model as JSON (`raw_json`), which skips a second
validation and serialisation pass worth about a quarter of the route's time.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Request, Response
from fastapi.concurrency import run_in_threadpool

from api.deps import context_of, player_key, raw_json, reference_key
from api.errors import ERROR_RESPONSES
from api.formats import ID_PATTERN, PLAYER_CONSTRAINTS, PLAYER_DESCRIPTION
from api.models import BalanceProofPublic, BalancePublic, EntryPublic, HistoryPublic
from api.node import balance_proof
from api.params import (
    PLAYER_PATH_PARAMETER,
    HistoryQuery,
    documented,
    history_filter,
    known_query_only,
    parse_query,
    path_player,
    reject_unknown,
)
from api.store import players
from api.store.common import MAX_INT64

router = APIRouter(prefix="/v1/players", tags=["players"], responses={**ERROR_RESPONSES})
KNOWN_ONLY = [Depends(known_query_only)]

PlayerPath = Annotated[str, Path(**PLAYER_CONSTRAINTS, description=PLAYER_DESCRIPTION)]
Block = Annotated[int | None, Query(ge=0, le=MAX_INT64, description="a block number")]


@router.get(
    "/{player}/balance", response_model=BalancePublic, openapi_extra=documented(None, PLAYER_PATH_PARAMETER)
)
async def get_balance(request: Request) -> Response:
    """The player's balance and lifetime totals, the block they are as of, and its confirmations."""
    player = path_player(request)
    reject_unknown(request, ())
    context = context_of(request)
    return raw_json(await context.mirror.hot(players.balance, context.display, player_key(player)))


@router.get(
    "/{player}/history",
    response_model=HistoryPublic,
    openapi_extra=documented(HistoryQuery, PLAYER_PATH_PARAMETER),
)
async def get_history(request: Request) -> Response:
    """The player's entries, newest first unless `order=asc`, a page at a time, each with its proof of place."""
    player = path_player(request)
    q = parse_query(HistoryQuery, request)
    filt = history_filter(player_key(player), q)
    context = context_of(request)
    return raw_json(
        await context.mirror.hot(players.history, context.display, filt, q.order, q.limit, q.cursor)
    )


@router.get("/{player}/entries/by-ref", response_model=EntryPublic, dependencies=KNOWN_ONLY)
async def get_entry_by_ref(
    request: Request,
    player: PlayerPath,
    ref: Annotated[str, Query(pattern=ID_PATTERN, description="the reference: text or 0x-hex")],
) -> Response:
    """One of the player's entries by its reference (issue, payout or expiry reference)."""
    context = context_of(request)
    return raw_json(
        await context.mirror.hot(
            players.entry_by_ref, context.display, player_key(player), reference_key(ref)
        )
    )


@router.get("/{player}/entries/{seq}", response_model=EntryPublic, dependencies=KNOWN_ONLY)
async def get_entry(
    request: Request,
    player: PlayerPath,
    seq: Annotated[int, Path(ge=1, le=MAX_INT64, description="the entry's sequence number")],
) -> Response:
    """One of the player's entries by its sequence number."""
    context = context_of(request)
    return raw_json(await context.mirror.hot(players.entry_by_seq, context.display, player_key(player), seq))


@router.get("/{player}/proof", dependencies=KNOWN_ONLY)
async def get_proof(request: Request, player: PlayerPath, block: Block = None) -> BalanceProofPublic:
    """EIP-1186 proof of the player's balance slot at a block (default the as-of block), with its header."""
    context, key = context_of(request), player_key(player)
    head, _ = await context.mirror.hot(players.require_player, key)
    rpc = context.rpc()
    at = head.block if block is None else block
    return await run_in_threadpool(balance_proof, rpc, head.chain_id, head.contract, key, at)
