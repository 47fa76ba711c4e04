"""`/v1/operator/webhooks`: register URLs (admin), list and remove them, read each delivery log."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query, Request
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, ConfigDict, Field

from api.auth import Admin, AuditReader, operator_of
from api.errors import ERROR_RESPONSES
from api.routes.operator import BODY_RESPONSES, RESPONSES
from ledger.errors import InputError
from ledger.operator import webhooks

router = APIRouter(prefix="/v1/operator/webhooks", tags=["operator"])
HookId = Annotated[int, Path(ge=1, le=2**31 - 1)]
READ: dict[int | str, dict[str, Any]] = {**RESPONSES, 404: ERROR_RESPONSES[404]}


class WebhookIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    url: str = Field(max_length=webhooks.MAX_URL, description="http(s) URL that receives the deliveries")


class WebhookPublic(BaseModel):
    id: int
    url: str
    created_at: int
    removed_at: int | None


class WebhookCreatedPublic(WebhookPublic):
    secret: str = Field(description="the HMAC-SHA256 key of the signatures; shown this once")


class DeliveryPublic(BaseModel):
    delivery_id: str
    write_id: int
    event: Literal["write.final", "write.failed"]
    status: Literal["pending", "delivered", "abandoned"]
    attempts: int
    last_error: str | None
    created_at: int
    delivered_at: int | None


def _public(hook: webhooks.Webhook) -> dict[str, Any]:
    return {"id": hook.id, "url": hook.url, "created_at": hook.created_at, "removed_at": hook.removed_at}


@router.post("", status_code=201, responses=BODY_RESPONSES)
def create_webhook(request: Request, body: WebhookIn, _: Admin) -> WebhookCreatedPublic:
    """Register a URL for final and failed writes (admin); the answer holds its secret, once."""
    try:
        url = webhooks.check_url(body.url)
    except InputError as exc:  # malformed: 422 like every other field
        raise RequestValidationError(
            [{"loc": ("body", "url"), "msg": str(exc), "type": "value_error"}]
        ) from None
    hook, secret = webhooks.register(operator_of(request).engine, url)
    return WebhookCreatedPublic(**_public(hook), secret=secret)


@router.get("", responses=RESPONSES)
def list_webhooks(request: Request, _: Admin) -> list[WebhookPublic]:
    """The registered webhooks (admin), without their secrets."""
    return [WebhookPublic(**_public(h)) for h in webhooks.listed(operator_of(request).engine)]


@router.delete("/{webhook_id}", responses=READ)
def remove_webhook(request: Request, webhook_id: HookId, _: Admin) -> WebhookPublic:
    """Stop queueing deliveries to a webhook (admin); its log stays readable."""
    return WebhookPublic(**_public(webhooks.remove(operator_of(request).engine, webhook_id)))


@router.get("/{webhook_id}/deliveries", responses=READ)
def deliveries(
    request: Request, webhook_id: HookId, _: AuditReader, limit: Annotated[int, Query(ge=1, le=1000)] = 100
) -> list[DeliveryPublic]:
    """A webhook's delivery log, newest first (admin or auditor)."""
    rows = webhooks.delivery_log(operator_of(request).engine, webhook_id, limit)
    return [DeliveryPublic.model_validate(row) for row in rows]
