"""Query parameters as one pydantic model, validated in a single pass.

FastAPI resolves each declared query parameter separately, which measured at about 10 µs a
parameter per request: most of the cost of the history route. Listing routes instead validate
`request.query_params` against one model and document the same model's fields in OpenAPI.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Collection
from datetime import UTC, datetime
from typing import Annotated, Any, Literal, TypeVar

from fastapi import Request
from fastapi.dependencies.models import Dependant
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute
from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError

from api.formats import ADDRESS_PATTERN, ID_PATTERN, PLAYER_CONSTRAINTS, PLAYER_DESCRIPTION
from api.models import Kind
from api.store.common import MAX_INT64
from api.store.entries import EntryFilter
from ledger.encoding import text_to_bytes

M = TypeVar("M", bound=BaseModel)

Block = Annotated[int | None, Field(ge=0, le=MAX_INT64, description="a block number")]
Time = Annotated[datetime | None, Field(description="ISO 8601 (UTC unless it says) or unix seconds")]
Limit = Annotated[int, Field(ge=1, le=500, description="entries per page")]
Cursor = Annotated[str | None, Field(max_length=100, description="next_cursor of the previous page")]
CampaignText = Annotated[str | None, Field(pattern=ID_PATTERN, description="campaign id: text or 0x-hex")]
PlayerHex = Annotated[str | None, Field(**PLAYER_CONSTRAINTS, description="a player key")]
SenderHex = Annotated[str | None, Field(pattern=ADDRESS_PATTERN, description="the sending account")]
PlayerKeyText = Annotated[str, Field(**PLAYER_CONSTRAINTS, description=PLAYER_DESCRIPTION)]
_PLAYER_PATH = TypeAdapter(PlayerKeyText)
# `{player}` as OpenAPI states it, for the hot routes that read it themselves (`path_player`).
PLAYER_PATH_PARAMETER = {
    "name": "player",
    "in": "path",
    "required": True,
    "schema": {"title": "Player", **_PLAYER_PATH.json_schema()},
    "description": PLAYER_DESCRIPTION,
}


class _Query(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


class HistoryQuery(_Query):
    kind: Kind | None = None
    campaign: CampaignText = None
    from_block: Block = None
    to_block: Block = None
    from_time: Time = None
    to_time: Time = None
    order: Literal["asc", "desc"] = Field("desc", description="newest first unless asc")
    limit: Limit = 50
    cursor: Cursor = None


class ExportQuery(_Query):
    player: PlayerHex = None
    kind: Kind | None = None
    campaign: CampaignText = None
    sender: SenderHex = None
    from_block: Block = None
    to_block: Block = None


class AuditEntriesQuery(ExportQuery):
    """The export's filters, a page at a time."""

    order: Literal["asc", "desc"] = Field("asc", description="oldest first unless desc")
    limit: Annotated[int, Field(ge=1, le=1000, description="entries per page")] = 100
    cursor: Cursor = None


def unix(value: datetime | None) -> int | None:
    """Unix seconds of a query time; a time without a zone is UTC."""
    if value is None:
        return None
    return int((value if value.tzinfo else value.replace(tzinfo=UTC)).timestamp())


def reject_unknown(request: Request, allowed: Collection[str]) -> None:
    """A 422 for a query parameter the route does not take, or one given twice: a misspelt or
    doubled filter must not silently change an answer (an auditor asking `from_blok=` would
    otherwise get every block, and of `from_block=9&from_block=0` only one would count)."""
    params = request.query_params
    for name in params:
        if name not in allowed:
            takes = ", ".join(sorted(allowed)) or "no query parameters"
            error = {
                "type": "extra_forbidden",
                "loc": ("query", name),
                "msg": f"unknown parameter (this route takes {takes})",
            }
            raise RequestValidationError([error])
    if len(params.multi_items()) > len(params):
        name = next(name for name in params if len(params.getlist(name)) > 1)
        error = {"type": "multiple_values", "loc": ("query", name), "msg": "given more than once"}
        raise RequestValidationError([error])


# Per route, computed once; the route is kept beside its names so an id is never reused.
_ALLOWED: dict[int, tuple[object, frozenset[str]]] = {}


def _declared_query(dependant: Dependant) -> list[str]:
    names = [field.alias for field in dependant.query_params]
    for sub in dependant.dependencies:
        names += _declared_query(sub)
    return names


def _allowed_query(route: object) -> frozenset[str]:
    declared = _declared_query(route.dependant) if isinstance(route, APIRoute) else []
    extra = getattr(route, "openapi_extra", None) or {}
    documented_ = [p["name"] for p in extra.get("parameters", []) if p.get("in") == "query"]
    return frozenset(declared + documented_)


async def known_query_only(request: Request) -> None:
    """`reject_unknown` as a dependency, with the names the matched route declares or documents."""
    route = request.scope["route"]
    known = _ALLOWED.get(id(route))
    if known is None or known[0] is not route:
        known = _ALLOWED[id(route)] = (route, _allowed_query(route))
    reject_unknown(request, known[1])


def path_player(request: Request) -> str:
    """The `{player}` path parameter validated as FastAPI would (a 422 naming it), without the
    per-request dependency pass that FastAPI spends on a declared parameter (hot routes)."""
    try:
        return _PLAYER_PATH.validate_python(request.path_params["player"])
    except ValidationError as exc:
        errors = [{**e, "loc": ("path", "player", *e["loc"])} for e in exc.errors(include_url=False)]
        raise RequestValidationError(errors) from None


# A query model's defaults, shared by every request without a query string (the models are frozen).
_DEFAULTS: dict[type[BaseModel], BaseModel] = {}


def parse_query(model: type[M], request: Request) -> M:
    """The request's query string validated against `model`; a 422 like FastAPI's on failure."""
    if not request.scope["query_string"]:  # the usual first page: nothing to check
        default = _DEFAULTS.get(model)
        if default is None:
            default = _DEFAULTS[model] = model()
        return default  # type: ignore[return-value]
    reject_unknown(request, model.model_fields)
    try:
        return model.model_validate(dict(request.query_params))
    except ValidationError as exc:
        errors = [{**e, "loc": ("query", *e["loc"])} for e in exc.errors(include_url=False)]
        raise RequestValidationError(errors) from None


def query_of(model: type[M]) -> Callable[[Request], Awaitable[M]]:
    """`parse_query` as a dependency, for routes off the hot path."""

    async def parse(request: Request) -> M:
        return parse_query(model, request)

    return parse


def history_filter(player: str, q: HistoryQuery) -> EntryFilter:
    campaign = "0x" + text_to_bytes(q.campaign, what="campaign id").hex() if q.campaign else None
    return EntryFilter(
        player=player, kind=q.kind, campaign=campaign, from_block=q.from_block, to_block=q.to_block,
        from_time=unix(q.from_time), to_time=unix(q.to_time),
    )  # fmt: skip


def documented(model: type[BaseModel] | None, *path: dict[str, Any]) -> dict[str, Any]:
    """`openapi_extra` that documents the `path` parameters a route reads itself, and `model`'s
    fields as the operation's query parameters."""
    parameters = list(path)
    if model is None:
        return {"parameters": parameters}
    schema = model.model_json_schema(ref_template="#/components/schemas/{model}")
    for name, spec in schema["properties"].items():
        description = spec.pop("description", None)
        spec.pop("title", None)
        parameter = {"name": name, "in": "query", "required": False, "schema": spec}
        parameters.append({**parameter, "description": description} if description else parameter)
    return {"parameters": parameters}
