"""A loopback JSON-RPC proxy that injects faults: dropped connections, HTTP 500 and 429, slow
answers, garbage, refusals of wide log ranges, logs marked removed and logs that do not decode."""

from __future__ import annotations

import json
import random
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import requests

TRANSPORT_FAULTS = ("drop", "http500", "http429", "slow", "garbage")


@dataclass
class FaultPlan:
    """What to break. `rate` is the chance that a request meets one of `faults`."""

    rate: float = 0.0
    faults: tuple[str, ...] = TRANSPORT_FAULTS
    max_log_range: int | None = None  # eth_getLogs over more blocks is refused as too many results
    slow_seconds: float = 0.6
    down: bool = False  # every request except `spared` methods is dropped
    spared: tuple[str, ...] = ()
    rewrite_logs: Callable[[list[dict[str, Any]]], list[dict[str, Any]]] | None = None
    seed: int = 7
    injected: Counter[str] = field(default_factory=Counter)

    def __post_init__(self) -> None:
        self.random = random.Random(self.seed)


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        request = json.loads(body)
        plan = self.server.plan
        methods = [r["method"] for r in (request if isinstance(request, list) else [request])]
        fault = self._choose(plan, methods, request)
        if fault == "drop":
            self.close_connection = True
            return
        if fault in ("http500", "http429"):
            self._send(500 if fault == "http500" else 429, b"busy", {"Retry-After": "0"})
            return
        if fault == "garbage":
            self._send(200, b"{not json")
            return
        if fault == "slow":
            time.sleep(plan.slow_seconds)
        if fault == "too_many":
            error = {
                "jsonrpc": "2.0",
                "id": request["id"],
                "error": {"code": -32005, "message": "query returned more than 10000 results"},
            }
            self._send(200, json.dumps(error).encode())
            return
        answer = requests.post(
            self.server.upstream, data=body, headers={"Content-Type": "application/json"}, timeout=60
        ).json()
        if methods == ["eth_getLogs"] and plan.rewrite_logs is not None and "result" in answer:
            answer["result"] = plan.rewrite_logs(answer["result"])
        self._send(200, json.dumps(answer).encode())

    def _choose(self, plan: FaultPlan, methods: list[str], request: Any) -> str | None:
        with self.server.lock:
            if plan.down and not set(methods) <= set(plan.spared):
                plan.injected["down"] += 1
                return "drop"
            if methods == ["eth_getLogs"] and plan.max_log_range is not None:
                query = request["params"][0]
                if int(query["toBlock"], 16) - int(query["fromBlock"], 16) + 1 > plan.max_log_range:
                    plan.injected["too_many"] += 1
                    return "too_many"
            if plan.rate and plan.random.random() < plan.rate:
                fault = plan.random.choice(plan.faults)
                plan.injected[fault] += 1
                return fault
        return None

    def _send(self, status: int, body: bytes, headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(body)


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, upstream: str, plan: FaultPlan) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.upstream = upstream
        self.plan = plan
        self.lock = threading.Lock()


@contextmanager
def fault_proxy(upstream: str, plan: FaultPlan) -> Iterator[str]:
    """Runs the proxy on a free loopback port; yields its URL."""
    server = _Server(upstream, plan)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
