"""Dependencies: the app's context, the mirror's reads, the node, and the audit token."""

from __future__ import annotations

import hmac
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any, Concatenate, ParamSpec, TypeVar

import orjson
from fastapi import Depends, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from prometheus_client import CollectorRegistry
from pydantic_core import to_json
from sqlalchemy import Engine

from api.store.reader import Reader
from ledger.chain.rpc import Rpc
from ledger.display import Display
from ledger.encoding import parse_player_key, text_to_bytes
from ledger.errors import ConfigError, Unauthorized

P = ParamSpec("P")
R = TypeVar("R")


class Mirror:
    """The mirror's reads: hot routes on the worker's own connections (on the event loop), the
    rest through SQLAlchemy in one transaction each, off the loop."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.reader = Reader(engine)

    async def hot(
        self, fn: Callable[Concatenate[Reader, P], Awaitable[R]], *args: P.args, **kwargs: P.kwargs
    ) -> R:
        """`fn(reader, ...)` on the event loop: short indexed statements on held connections."""
        return await fn(self.reader, *args, **kwargs)

    def _run(self, fn: Callable[..., R], *args: object) -> R:
        with self.engine.connect() as conn:
            return fn(conn, *args)

    async def read(self, fn: Callable[..., R], *args: object) -> R:
        """`fn(conn, *args)` inside one read transaction, in the thread pool."""
        return await run_in_threadpool(self._run, fn, *args)

    async def aclose(self) -> None:
        await self.reader.aclose()
        self.engine.dispose()


@dataclass
class ApiContext:
    mirror: Mirror
    terms_dir: Path
    rpc_url: str | None
    api_token: str | None
    registry: CollectorRegistry
    display: Display
    _rpc: Rpc | None = field(default=None, repr=False)

    def node_url(self) -> str:
        """The node the API reads proofs and live state from (`LEDGER_RPC_URL`)."""
        if self.rpc_url is None:
            raise ConfigError("this API has no node configured (LEDGER_RPC_URL)")
        return self.rpc_url

    def rpc(self) -> Rpc:
        if self._rpc is None:
            self._rpc = Rpc(self.node_url(), timeout=10.0)
        return self._rpc

    async def aclose(self) -> None:
        if self._rpc is not None:
            self._rpc.close()
        await self.mirror.aclose()


def context_of(request: Request) -> ApiContext:
    context: ApiContext = request.app.state.context
    return context


def mirror_of(request: Request) -> Mirror:
    return context_of(request).mirror


async def get_context(request: Request) -> ApiContext:
    return context_of(request)


Context = Annotated[ApiContext, Depends(get_context)]


async def get_mirror(request: Request) -> Mirror:
    return mirror_of(request)


MirrorDep = Annotated[Mirror, Depends(get_mirror)]

_bearer = HTTPBearer(auto_error=False, description="the audit token (LEDGER_API_TOKEN)")


async def require_audit_token(
    context: Context, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]
) -> None:
    """Audit routes answer only with the configured bearer token, compared in constant time."""
    if context.api_token is None:
        return
    given = credentials.credentials if credentials else ""
    if not hmac.compare_digest(given.encode(), context.api_token.encode()):
        raise Unauthorized("this audit route needs the bearer token set in LEDGER_API_TOKEN")


def raw_json(fields: dict[str, Any]) -> Response:
    """The fields of a route's response model, serialised as they are.

    Hot routes build their answers field by field from typed columns; validating them again
    cost more than the query (about 3 µs an entry) and FastAPI's response pass as much again.
    The route still declares its `response_model` for OpenAPI, and the tests check every answer
    against it. orjson writes these dicts in a quarter of pydantic's time; an integer wider than
    64 bits, which it refuses, goes through pydantic instead."""
    try:
        body = orjson.dumps(fields)
    except orjson.JSONEncodeError:
        body = to_json(fields)
    return Response(body, media_type="application/json")


def player_key(value: str) -> str:
    """A player key as the mirror stores it (lowercase hex); `InputError` for the zero key."""
    return "0x" + parse_player_key(value).hex()


def campaign_key(value: str) -> str:
    """A campaign id given as text (at most 32 bytes) or 0x-hex, as the mirror's hex."""
    return "0x" + text_to_bytes(value, what="campaign id").hex()


def reference_key(value: str) -> str:
    return "0x" + text_to_bytes(value, what="reference").hex()
