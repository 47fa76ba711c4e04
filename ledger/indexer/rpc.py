"""A small JSON-RPC client over HTTP with error classification and retries with backoff.

The indexer needs more control than web3's provider gives: it must tell a node that is down or
rate-limiting (retry with backoff) from one that refuses a log range as too big (split the range)
and from one that answers with a real error (stop and say so).
"""

from __future__ import annotations

import itertools
import logging
import random
import re
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

import requests

from ledger.indexer.errors import RangeTooLarge, RpcError, TransportError

log = logging.getLogger("ledger.indexer")
T = TypeVar("T")
Call = tuple[str, Sequence[Any]]

# How nodes word "your eth_getLogs query is too big" (geth, erigon, nethermind, alchemy, infura...).
_LIMIT_WORDS = re.compile(
    r"more than|too many|too large|too big|limit|exceed|range|response size|timeout|timed out", re.I
)
_LIMIT_CODES = {-32005, -32602}


class Rpc:
    """JSON-RPC calls to one HTTP endpoint; each call is one attempt (see `Backoff` for retries)."""

    def __init__(self, url: str, timeout: float = 30.0) -> None:
        self.url = url
        self.timeout = timeout
        self._session = requests.Session()
        self._ids = itertools.count(1)

    def call(self, method: str, params: Sequence[Any] = ()) -> Any:
        return self.batch([(method, params)])[0]

    def batch(self, calls: Sequence[Call]) -> list[Any]:
        """Results of `calls`, in order, sent as one request (a JSON-RPC batch if more than one)."""
        if not calls:
            return []
        payload = [
            {"jsonrpc": "2.0", "id": next(self._ids), "method": m, "params": list(p)} for m, p in calls
        ]
        body = self._post(payload if len(payload) > 1 else payload[0])
        answers = body if isinstance(body, list) else [body]
        by_id = {a.get("id"): a for a in answers if isinstance(a, dict)}
        results = []
        for request in payload:
            answer = by_id.get(request["id"])
            if answer is None:
                raise TransportError(self.url, f"no answer to {request['method']} in the reply")
            results.append(_result(str(request["method"]), answer))
        return results

    def _post(self, payload: Any) -> Any:
        try:
            reply = self._session.post(self.url, json=payload, timeout=self.timeout)
        except requests.Timeout as exc:
            raise TransportError(self.url, f"no answer within {self.timeout:g} s", timeout=True) from exc
        except requests.RequestException as exc:
            raise TransportError(self.url, type(exc).__name__) from exc
        if reply.status_code == 413:
            raise RangeTooLarge("request", 413, "HTTP 413 payload too large")
        if reply.status_code == 429 or reply.status_code >= 500:
            raise TransportError(
                self.url,
                f"HTTP {reply.status_code}",
                retry_after=_retry_after(reply.headers.get("Retry-After")),
            )
        try:
            return reply.json()
        except ValueError as exc:
            if not reply.ok:
                raise TransportError(self.url, f"HTTP {reply.status_code}") from exc
            raise TransportError(self.url, "the reply is not JSON") from exc

    def close(self) -> None:
        self._session.close()


def _result(method: str, answer: dict[str, Any]) -> Any:
    error = answer.get("error")
    if error is None:
        return answer.get("result")
    code = error.get("code") if isinstance(error, dict) else None
    message = str(error.get("message", error)) if isinstance(error, dict) else str(error)
    if method == "eth_getLogs" and (code in _LIMIT_CODES or _LIMIT_WORDS.search(message)):
        raise RangeTooLarge(method, code, message)
    raise RpcError(method, code, message)


def _retry_after(value: str | None) -> float | None:
    try:
        return float(value) if value else None
    except ValueError:
        return None


@dataclass
class Backoff:
    """Retries transport failures with exponential backoff and jitter.

    Gives up with the last error after `give_up_after` seconds of failing (None: never), and
    reports each failure through `on_failure` so an unreachable node is never a silent wait.
    """

    base: float = 0.1
    cap: float = 10.0
    give_up_after: float | None = 120.0
    stop: threading.Event | None = None
    on_failure: Callable[[TransportError, int, float], None] | None = None

    def run(self, fn: Callable[[], T], retry_timeouts: bool = True) -> T:
        started = time.monotonic()
        for attempt in itertools.count():
            try:
                return fn()
            except TransportError as exc:
                waited = time.monotonic() - started
                if exc.timeout and not retry_timeouts:
                    raise
                if self.give_up_after is not None and waited >= self.give_up_after:
                    raise
                delay = self.delay(attempt, exc.retry_after)
                if self.on_failure is not None:
                    self.on_failure(exc, attempt + 1, delay)
                if self.stop is not None and self.stop.wait(delay):
                    raise
                if self.stop is None:
                    time.sleep(delay)
        raise AssertionError("unreachable")

    def delay(self, attempt: int, retry_after: float | None = None) -> float:
        """Exponential, capped, with equal jitter so that many clients do not retry in step."""
        ceiling = min(self.cap, self.base * 2.0**attempt)
        delay = ceiling / 2 + random.uniform(0, ceiling / 2)
        return max(delay, min(retry_after or 0.0, self.cap))


def log_failure(exc: TransportError, attempt: int, delay: float) -> None:
    log.warning("%s (attempt %d); retrying in %.1f s", exc, attempt, delay)
