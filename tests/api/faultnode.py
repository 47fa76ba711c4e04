"""A fault-injection JSON-RPC proxy on loopback: passes calls to a real node, or fails them in one
chosen way (refuses, hangs up, answers nonsense, dies after a number of calls)."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import requests

from tests.conftest import free_port

# Each mode, and what it does to every call (the proxy passes on what a mode leaves alone).
MODES = {
    "hangs-up": "closes the connection without an answer",
    "not-json": "answers HTTP 200 with an HTML page",
    "http-500": "answers HTTP 500",
    "rpc-error": "answers every call with a JSON-RPC error",
    "nulls": "answers every call with a null result",
    "nonsense": "answers every call with a result that is not what was asked",
    "dies-midway": "answers the first calls truly, then hangs up",
    "bad-proof": "answers truly, but eth_getProof with a malformed proof",
}


class FaultNode(ThreadingHTTPServer):
    def __init__(self, upstream: str, mode: str, calls_before_death: int) -> None:
        super().__init__(("127.0.0.1", free_port()), _Handler)
        self.upstream, self.mode, self.left = upstream, mode, calls_before_death
        self.lock = threading.Lock()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


def _answer(call: dict[str, Any], mode: str) -> dict[str, Any]:
    reply: dict[str, Any] = {"jsonrpc": "2.0", "id": call.get("id")}
    if mode == "rpc-error":
        return {**reply, "error": {"code": -32000, "message": "the node fell over"}}
    if mode == "nulls":
        return {**reply, "result": None}
    if mode == "bad-proof":
        return {**reply, "result": {"storageProof": [{"value": "0xnot-hex"}], "nonce": None}}
    return {**reply, "result": ["0xzz", {"unexpected": True}]}


class _Handler(BaseHTTPRequestHandler):
    server: FaultNode

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("content-length", 0)))
        mode = self.server.mode
        if mode == "dies-midway":
            with self.server.lock:
                self.server.left -= 1
                mode = "proxy" if self.server.left >= 0 else "hangs-up"
        if mode == "hangs-up":
            self.close_connection = True
            self.connection.close()
            return
        calls = json.loads(body)
        tampered = mode == "bad-proof" and any(
            c.get("method") == "eth_getProof" for c in (calls if isinstance(calls, list) else [calls])
        )
        if mode in ("proxy", "bad-proof") and not tampered:
            self._send(200, requests.post(self.server.upstream, data=body, timeout=30).content)
        elif mode == "not-json":
            self._send(200, b"<html><body>502 Bad Gateway</body></html>")
        elif mode == "http-500":
            self._send(500, b"internal error")
        else:
            answers: Any = (
                [_answer(c, mode) for c in calls] if isinstance(calls, list) else _answer(calls, mode)
            )
            self._send(200, json.dumps(answers).encode())

    def _send(self, status: int, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@contextmanager
def fault_node(upstream: str, mode: str, calls_before_death: int = 1) -> Iterator[str]:
    """A node at the yielded URL that fails in `mode` (one of `MODES`), until the block ends."""
    server = FaultNode(upstream, mode, calls_before_death)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.url
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
