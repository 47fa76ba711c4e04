"""Auditor routes: totals and liability, budget use, filtered entries, CSV export, reconciliation,
reserves, status."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response, StreamingResponse

from api.deps import Context, campaign_key, raw_json
from api.errors import ERROR_RESPONSES
from api.models import (
    CampaignUseListPublic,
    EntryPagePublic,
    PeriodListPublic,
    ReconcilePublic,
    ReservesPublic,
    StatusPublic,
    SummaryPublic,
)
from api.node import node_head
from api.params import AuditEntriesQuery, ExportQuery, documented, known_query_only, query_of
from api.reconcile import reconcile_at_head
from api.reserves import reserves_at_head
from api.store import audit, campaigns, periods
from api.store.common import read_head
from api.store.entries import EntryFilter

router = APIRouter(
    prefix="/v1/audit",
    tags=["audit"],
    dependencies=[Depends(known_query_only)],
    responses={
        **ERROR_RESPONSES,
        401: {"model": ERROR_RESPONSES[400]["model"], "description": "no or wrong token"},
    },
)

Limit = Annotated[int, Query(ge=1, le=500)]
Cursor = Annotated[str | None, Query(max_length=200, description="next_cursor of the previous page")]


def _filter(q: ExportQuery) -> EntryFilter:
    return EntryFilter(
        player=q.player.lower() if q.player else None, kind=q.kind,
        campaign=campaign_key(q.campaign) if q.campaign else None, sender=q.sender.lower() if q.sender else None,
        from_block=q.from_block, to_block=q.to_block,
    )  # fmt: skip


@router.get("/summary")
async def get_summary(context: Context) -> SummaryPublic:
    """Global issued, paid, reversed and expired, and the outstanding liability to players."""
    return await context.mirror.read(audit.summary, context.display)


@router.get("/campaigns")
async def get_campaign_use(
    context: Context, limit: Limit = 100, cursor: Cursor = None
) -> CampaignUseListPublic:
    """Each campaign's budget use: budget, issued, reversed, remaining and percent used."""
    return await context.mirror.read(
        campaigns.campaign_use, context.terms_dir, context.display, limit, cursor
    )


@router.get("/periods")
async def get_periods(
    context: Context, status: periods.PeriodStatus = "all", limit: Limit = 100, cursor: Cursor = None
) -> PeriodListPublic:
    """Committed reward periods, in commit order: committed total, issued so far, remaining, and
    `open` while the period's batches have issued less than its total (`status` filters)."""
    return await context.mirror.read(periods.period_list, context.display, status, limit, cursor)


@router.get("/entries", response_model=EntryPagePublic, openapi_extra=documented(AuditEntriesQuery))
async def get_entries(
    context: Context, query: Annotated[AuditEntriesQuery, Depends(query_of(AuditEntriesQuery))]
) -> Response:
    """Entries by block range, kind, campaign, player or sending account; oldest first unless `order=desc`."""
    page = await context.mirror.hot(
        audit.entries, context.display, _filter(query), query.order, query.limit, query.cursor
    )
    return raw_json(page)


@router.get(
    "/export.csv",
    response_class=StreamingResponse,
    responses={
        200: {"content": {"text/csv": {"schema": {"type": "string"}}}, "description": "entries as CSV"}
    },
    openapi_extra=documented(ExportQuery),
)
async def export_csv(
    context: Context, query: Annotated[ExportQuery, Depends(query_of(ExportQuery))]
) -> StreamingResponse:
    """Every matching entry as CSV, oldest first, streamed: the raw columns, then readable ones."""
    filt = _filter(query)
    filt.check()
    await context.mirror.read(read_head)  # a 503 before the stream starts, not a cut-off body
    return StreamingResponse(
        audit.csv_chunks(context.mirror.engine, filt, context.display),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="ledger-entries.csv"'},
    )


@router.get("/reconcile")
async def get_reconcile(context: Context) -> ReconcilePublic:
    """Reconciliation of the mirror with the contract at the mirror's head (reads the node)."""
    return await run_in_threadpool(reconcile_at_head, context)


@router.get("/reserves")
async def get_reserves(context: Context) -> ReservesPublic:
    """The settlement token, reserves, liability and coverage at the mirror's head (reads the node),
    and whether the mirror's summed balances equal the liability."""
    return await run_in_threadpool(reserves_at_head, context)


@router.get("/status")
async def get_status(context: Context) -> StatusPublic:
    """The indexer's head, the chain's head and the lag, as the indexer reported them and the node says now."""
    live = await run_in_threadpool(node_head, context.rpc()) if context.rpc_url else None
    return await context.mirror.read(audit.status, live)
