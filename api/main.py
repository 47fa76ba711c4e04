"""The API application: `create_app` builds it from `Settings` (the environment by default)."""

from __future__ import annotations

import gc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import Depends, FastAPI
from prometheus_client import CollectorRegistry
from sqlalchemy import Engine, event

from api import errors
from api.auth import OperatorState, require_audit_access
from api.cors import PlayerCors, parse_origins
from api.deps import ApiContext, Mirror
from api.docs import docs_router
from api.metrics import IndexerCollector, MetricsMiddleware
from api.routes import audit, campaigns, operator, operator_campaigns, operator_webhooks, players, system
from api.web import web_router
from ledger.config import Settings
from ledger.db.engine import make_engine, parse_url
from ledger.display import Display
from ledger.operator.runtime import start_sender

TITLE = "Transparent rewards ledger"
OPENAPI_URL = "/openapi.json"
DESCRIPTION = """Read-only view of the transparent rewards ledger's SQL mirror.

Every entry carries where the chain recorded it, so anything this API says can be checked
against any node (`ledger verify`). Amounts are decimal strings, each with a `<name>_display`
beside it in the program's unit (`GET /v1/display`); byte values are 0x-hex.
Audit routes need `Authorization: Bearer <LEDGER_API_TOKEN>` when a token is configured."""


def read_only_engine(url: str) -> Engine:
    """An engine that cannot write: SQLite `query_only`, PostgreSQL read-only snapshot transactions."""
    if parse_url(url).get_backend_name() == "postgresql":
        # One snapshot per request: the head a route reports and its rows agree.
        return make_engine(
            url, isolation_level="REPEATABLE READ", execution_options={"postgresql_readonly": True}
        )
    engine = make_engine(url)

    @event.listens_for(engine, "connect")
    def _query_only(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.execute("PRAGMA query_only=ON")

    return engine


def create_app(settings: Settings | None = None) -> FastAPI:
    """The app over the mirror named by `settings` (default: from the environment)."""
    cfg = settings or Settings()
    display = Display.from_settings(cfg)  # a bad setting fails here, before anything opens
    origins = parse_origins(cfg.cors_origins)
    engine = read_only_engine(cfg.effective_database_url)
    registry = CollectorRegistry()
    registry.register(IndexerCollector(engine))
    token = cfg.api_token.get_secret_value() if cfg.api_token else None
    context = ApiContext(
        Mirror(engine), cfg.terms_dir, cfg.effective_rpc_url, token or None, registry, display
    )

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        # What exists at start (modules, schemas, routes) lives as long as the process: keep it out
        # of the collector's full passes, which otherwise pause every request in flight.
        gc.collect()
        gc.freeze()
        sender = start_sender()  # the operator API's sender, when LEDGER_OPERATOR_SEND is on
        yield
        if sender is not None:
            sender.close()
        app.state.operator.close()
        await context.aclose()

    app = FastAPI(
        title=TITLE, version="1", description=DESCRIPTION, lifespan=lifespan,
        docs_url=None, redoc_url=None, openapi_url=OPENAPI_URL,
    )  # fmt: skip
    app.state.context = context
    app.state.operator = OperatorState.open(cfg)
    errors.install(app)
    app.add_middleware(MetricsMiddleware, registry=registry)
    if origins:  # off by default: nothing added to any request's path
        app.add_middleware(PlayerCors, origins=origins)
    app.include_router(players.router)
    app.include_router(campaigns.router)
    audit_guard = [Depends(require_audit_access)] if context.api_token else []
    app.include_router(audit.router, dependencies=audit_guard)
    app.include_router(operator.router)
    app.include_router(operator_webhooks.router)
    app.include_router(operator_campaigns.router)
    app.include_router(system.router)
    app.include_router(docs_router(TITLE, OPENAPI_URL))
    app.include_router(web_router(cfg))
    return app
