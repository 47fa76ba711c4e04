"""`/v1/operator/campaigns`: create and close campaigns (admin), through the outbox and the sender."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from api.auth import Admin, Reader, operator_of
from api.routes.operator import READ_RESPONSES, WRITE_RESPONSES, Reference, accept_items, write_status
from api.routes.operator_models import AcceptedPublic, CampaignIn, WritePublic
from ledger.operator.items import campaign_item, close_item
from ledger.terms import save_terms

router = APIRouter(prefix="/v1/operator/campaigns", tags=["operator"])


@router.post("", status_code=202, responses=WRITE_RESPONSES, response_model=AcceptedPublic)
def create_campaign(request: Request, body: CampaignIn, token: Admin) -> Response:
    """Accept a campaign (admin): budget, terms text (its keccak256 goes on chain), window."""
    answer = accept_items(
        request,
        lambda: [campaign_item(body.campaign, body.budget, body.terms, body.start, body.end)],
        token.id,
    )
    if answer.status_code < 300:  # kept for the API to serve, under its hash, as the CLI does
        save_terms(operator_of(request).settings.terms_dir, body.terms.encode("utf-8", "surrogatepass"))
    return answer


@router.post("/{campaign}/close", status_code=202, responses=WRITE_RESPONSES, response_model=AcceptedPublic)
def close_campaign(request: Request, campaign: Reference, token: Admin) -> Response:
    """Accept closing a campaign for good (admin)."""
    return accept_items(request, lambda: [close_item(campaign)], token.id)


@router.get("/{campaign}", responses=READ_RESPONSES)
def campaign_status(request: Request, campaign: Reference, _: Reader) -> WritePublic:
    """The status of the campaign created through this API under `campaign`."""
    return write_status(request, "campaign", "campaign", campaign, 32)


@router.get("/{campaign}/close", responses=READ_RESPONSES)
def close_status(request: Request, campaign: Reference, _: Reader) -> WritePublic:
    """The status of closing `campaign` through this API."""
    return write_status(request, "close", "close", campaign, 32)
