"""The player page (`/`), the auditor dashboard (`/audit`), their static assets and the two reads
the API's versioned routes do not offer: the page's configuration and the dashboard's time series.

Every asset is served from this package: the pages make no request to any other host than this
API and the node the reader chooses, and their Content-Security-Policy lets the browser enforce
that for scripts, styles, images and fonts.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import FileResponse
from pydantic import BaseModel, ConfigDict, Field

from api.deps import context_of, require_audit_token
from api.store.common import read_head
from api.web.series import SeriesPublic, series
from ledger.config import Settings
from ledger.errors import NotReady

STATIC = Path(__file__).resolve().parent / "static"
MEDIA_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".txt": "text/plain; charset=utf-8",
    ".svg": "image/svg+xml",
}
# Scripts and styles only from this origin; JSON-RPC to whichever node the reader picks.
CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self' http: https:; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
# The player's key travels in the page's address: never hand it to the node in a Referer.
PAGE_HEADERS = {
    "Content-Security-Policy": CSP,
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    "Cache-Control": "no-cache",
}


class DisplayPublic(BaseModel):
    """How the pages show amounts: the ledger counts integers, readers see money or points."""

    model_config = ConfigDict(frozen=True)

    unit: str = Field(description="an ISO 4217 currency code (EUR) or a unit name (points)")
    decimals: int = Field(description="ledger units per displayed unit, as a power of ten (2: cents)")


class WebConfigPublic(BaseModel):
    """What the pages start from; the reader may replace the node and the contract."""

    model_config = ConfigDict(frozen=True)

    rpc_url: str = Field(description="the node the operator publishes for verification")
    chain_id: int | None = Field(description="the chain the mirror follows (null before the first index)")
    contract: str | None = Field(description="the ledger contract's address")
    audit_token_required: bool
    display: DisplayPublic


def _assets() -> dict[str, Path]:
    """The servable files by name, fixed at start: nothing outside the static folder is reachable."""
    return {p.name: p for p in STATIC.iterdir() if p.is_file() and p.suffix in MEDIA_TYPES}


def _file(path: Path) -> FileResponse:
    return FileResponse(path, media_type=MEDIA_TYPES[path.suffix], headers=PAGE_HEADERS)


def web_router(settings: Settings) -> APIRouter:
    """The pages' routes for an app built from `settings` (they publish its node and contract)."""
    router = APIRouter(include_in_schema=False)
    assets = _assets()
    rpc_url = settings.effective_public_rpc_url
    configured_contract = settings.contract_address.lower() if settings.contract_address else None
    display = DisplayPublic(unit=settings.display_unit, decimals=settings.display_decimals)

    @router.get("/")
    async def player_page() -> FileResponse:
        """The player page: balance, history and verification against a node."""
        return _file(assets["index.html"])

    @router.get("/audit")
    async def audit_dashboard() -> FileResponse:
        """The auditor dashboard: totals, budgets, issuance over time, reconciliation and lag."""
        return _file(assets["audit.html"])

    @router.get("/web/config.json")
    async def config(request: Request) -> WebConfigPublic:
        """The published node, chain and contract the pages verify against by default."""
        context = context_of(request)
        try:
            head = await context.mirror.read(read_head)
            chain_id, contract = head.chain_id, head.contract
        except NotReady:
            chain_id, contract = None, None
        return WebConfigPublic(
            rpc_url=rpc_url, chain_id=chain_id, contract=configured_contract or contract,
            audit_token_required=context.api_token is not None, display=display,
        )  # fmt: skip

    @router.get("/web/audit/series", dependencies=[Depends(require_audit_token)])
    async def audit_series(
        request: Request, buckets: Annotated[int, Query(ge=2, le=500)] = 60
    ) -> SeriesPublic:
        """Amounts issued, paid, reversed and expired per time bucket, exact, for the dashboard."""
        return await context_of(request).mirror.read(series, buckets)

    @router.get("/web/{name}")
    async def asset(name: str) -> FileResponse:
        """A static asset of the pages, by file name."""
        path = assets.get(name)
        if path is None:
            raise HTTPException(404, f"no asset named {name!r}")
        return _file(path)

    return router
