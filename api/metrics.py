"""Prometheus metrics: request latency by route, and the indexer's lag read from the mirror on scrape."""

from __future__ import annotations

import time
from collections.abc import Iterator

from prometheus_client import CollectorRegistry, Histogram
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.store.audit import indexer_status
from api.store.common import read_head
from ledger.errors import NotReady

BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


class IndexerCollector(Collector):
    """Gauges of the indexer's progress, read fresh from the mirror at each scrape."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def collect(self) -> Iterator[GaugeMetricFamily]:
        try:
            with self.engine.connect() as conn:
                head = read_head(conn)
                status = indexer_status(conn)
        except (SQLAlchemyError, NotReady):
            return
        figures = {
            "ledger_indexer_block": ("last block the mirror holds", head.block),
            "ledger_indexer_finalized_block": ("last finalized block", head.finalized),
            "ledger_chain_block": (
                "chain head as the indexer last saw it",
                status.chain_block if status else None,
            ),
            "ledger_indexer_lag_blocks": (
                "blocks the mirror is behind the chain",
                status.lag_blocks if status else None,
            ),
            "ledger_indexer_lag_seconds": (
                "seconds the mirror is behind the chain",
                status.lag_seconds if status else None,
            ),
        }
        for name, (text, value) in figures.items():
            if value is not None:
                yield GaugeMetricFamily(name, text, value=float(value))


class MetricsMiddleware:
    """Times every request by route template (not raw path, which would explode label cardinality)."""

    def __init__(self, app: ASGIApp, registry: CollectorRegistry) -> None:
        self.app = app
        self.latency = Histogram(
            "ledger_api_request_duration_seconds", "time to answer a request", ["method", "route", "status"],
            registry=registry, buckets=BUCKETS,
        )  # fmt: skip

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()
        status = [500]

        async def send_status(message: Message) -> None:
            if message["type"] == "http.response.start":
                status[0] = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_status)
        finally:
            route = _route_of(scope)
            self.latency.labels(scope["method"], route, str(status[0])).observe(time.perf_counter() - start)


def _route_of(scope: Scope) -> str:
    path = getattr(scope.get("route"), "path", None)
    return path if isinstance(path, str) else "unmatched"
