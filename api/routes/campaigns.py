"""Campaign routes: the list, one campaign, and its terms text."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query
from fastapi.responses import Response

from api.deps import Context, MirrorDep, campaign_key
from api.errors import ERROR_RESPONSES
from api.formats import ID_PATTERN
from api.models import CampaignListPublic, CampaignPublic
from api.params import known_query_only
from api.store import campaigns
from ledger.errors import NotFound
from ledger.terms import load_terms

router = APIRouter(
    prefix="/v1/campaigns",
    tags=["campaigns"],
    responses={**ERROR_RESPONSES},
    dependencies=[Depends(known_query_only)],
)

CampaignId = Annotated[str, Path(pattern=ID_PATTERN, description="campaign id: text or 0x-hex")]
Limit = Annotated[int, Query(ge=1, le=500)]
Cursor = Annotated[str | None, Query(max_length=200, description="next_cursor of the previous page")]


@router.get("")
async def list_campaigns(context: Context, limit: Limit = 100, cursor: Cursor = None) -> CampaignListPublic:
    """Every campaign with its budget, use, window and terms hash, by id."""
    return await context.mirror.read(
        campaigns.campaign_list, context.terms_dir, context.display, limit, cursor
    )


@router.get("/{campaign}")
async def get_campaign(campaign: CampaignId, context: Context) -> CampaignPublic:
    """One campaign: budget, issued, remaining, window, terms hash."""
    return await context.mirror.read(
        campaigns.campaign_detail, context.terms_dir, context.display, campaign_key(campaign)
    )


@router.get(
    "/{campaign}/terms",
    response_class=Response,
    responses={
        200: {"content": {"text/plain": {"schema": {"type": "string"}}}, "description": "the terms text"}
    },
)
async def get_terms(campaign: CampaignId, context: Context, mirror: MirrorDep) -> Response:
    """The campaign's terms text, byte for byte: its keccak256 is the terms hash on chain."""
    row = await mirror.read(campaigns.campaign_row, campaign_key(campaign))
    text = load_terms(context.terms_dir, bytes.fromhex(row.terms_hash[2:]))
    if text is None:
        raise NotFound(f"the terms text of campaign {row.campaign_id} ({row.terms_hash}) is not kept here")
    return Response(text, media_type="text/plain; charset=utf-8", headers={"X-Terms-Hash": row.terms_hash})
