"""Liveness, readiness and Prometheus metrics (unversioned: they describe the process, not the
ledger), and how the program shows amounts (`/v1/display`)."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from api.deps import Context, MirrorDep
from api.errors import ERROR_RESPONSES
from api.models import DisplayPublic, HealthPublic, ReadyPublic
from api.store.common import read_head

router = APIRouter(tags=["system"])
EXAMPLE_AMOUNT = 123456


@router.get("/health")
async def health() -> HealthPublic:
    """The process is up (touches nothing else)."""
    return HealthPublic(status="ok")


@router.get("/ready", responses={503: ERROR_RESPONSES[503]})
async def ready(mirror: MirrorDep) -> ReadyPublic:
    """The mirror database answers and holds an indexed range: the API can serve."""
    head = await mirror.read(read_head)
    return ReadyPublic(status="ready", indexer_block=head.block)


@router.get("/v1/display")
async def display(context: Context) -> DisplayPublic:
    """How this program shows amounts: its currency or unit and decimals (every `_display` field follows it)."""
    shown = context.display
    return DisplayPublic(
        unit=shown.unit, decimals=shown.decimals, currency=shown.currency, example=shown.text(EXAMPLE_AMOUNT)
    )


@router.get(
    "/metrics",
    response_class=Response,
    responses={
        200: {"content": {"text/plain": {"schema": {"type": "string"}}}, "description": "Prometheus text"}
    },
)
async def metrics(context: Context) -> Response:
    """Request latency by route and the indexer's lag, in Prometheus' text format."""
    body = await run_in_threadpool(generate_latest, context.registry)  # the lag gauges read the mirror
    return Response(body, media_type=CONTENT_TYPE_LATEST)
