"""The one JSON-RPC client every layer uses: HTTP, batches, error classification, retries.

The indexer, the audit, verification, the API and (through `ledger.chain.provider`) web3 all
talk to nodes through `Rpc`, so a node that is down or rate-limiting (retried with backoff, see
`Retry`), one that refuses a request as too big (the caller splits it), and one that answers with
a real error (stop and say so) are told apart the same way everywhere.
"""

from __future__ import annotations

import itertools
import logging
import random
import re
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, TypeVar

import requests
from tenacity import (
    RetryCallState,
    Retrying,
    retry_if_exception,
    stop_after_delay,
    stop_any,
    stop_never,
    stop_when_event_set,
)
from tenacity.stop import stop_base

from ledger.errors import RangeTooLarge, RpcError, TransportError

log = logging.getLogger("ledger.rpc")
T = TypeVar("T")
Call = tuple[str, Sequence[Any]]

BATCH_SIZE = 200  # requests per JSON-RPC batch in `batch_many`: amortised, and small enough for any node
PARALLEL_REQUESTS = 4

# How nodes word "your request is too big" (geth, erigon, nethermind, alchemy, infura...).
_LIMIT_WORDS = re.compile(
    r"more than|too many|too large|too big|limit|exceed|range|response size|timeout|timed out", re.I
)
_LIMIT_CODES = {-32005, -32602}


@dataclass
class Retry:
    """Retries transport failures with exponential backoff and equal jitter (tenacity).

    Gives up with the last error after `give_up_after` seconds of failing (None: never; 0: one
    attempt), as soon as `stop` is set, and reports each failure through `on_failure` so an
    unreachable node is never a silent wait. A node's Retry-After is honoured up to `cap`.
    """

    give_up_after: float | None = 120.0
    base: float = 0.1
    cap: float = 10.0
    stop: threading.Event | None = None
    on_failure: Callable[[TransportError, int, float], None] | None = None

    def run(self, fn: Callable[[], T], retry_timeouts: bool = True) -> T:
        """`fn()`, retried while it raises a `TransportError` (timeouts only if `retry_timeouts`)."""
        if self.give_up_after == 0:
            return fn()

        def retryable(exc: BaseException) -> bool:
            return isinstance(exc, TransportError) and (retry_timeouts or not exc.timeout)

        stop: stop_base = (
            stop_after_delay(self.give_up_after) if self.give_up_after is not None else stop_never
        )
        if self.stop is not None:
            stop = stop_any(stop, stop_when_event_set(self.stop))
        retrying = Retrying(
            retry=retry_if_exception(retryable),
            stop=stop,
            wait=self._wait,
            sleep=self._sleep,
            before_sleep=self._report,
            reraise=True,
        )
        return retrying(fn)

    def delay(self, attempt: int, retry_after: float | None = None) -> float:
        """Exponential, capped, with equal jitter so that many clients do not retry in step."""
        ceiling = min(self.cap, self.base * 2.0**attempt)
        delay = ceiling / 2 + random.uniform(0, ceiling / 2)
        return max(delay, min(retry_after or 0.0, self.cap))

    def _sleep(self, seconds: float) -> None:
        """Sleeps, waking early when asked to stop (the next failure then ends the retries)."""
        (self.stop or threading.Event()).wait(seconds)

    def _wait(self, state: RetryCallState) -> float:
        exc = state.outcome.exception() if state.outcome else None
        retry_after = exc.retry_after if isinstance(exc, TransportError) else None
        return self.delay(state.attempt_number - 1, retry_after)

    def _report(self, state: RetryCallState) -> None:
        exc = state.outcome.exception() if state.outcome else None
        delay = state.next_action.sleep if state.next_action else 0.0
        if isinstance(exc, TransportError):
            if self.on_failure is not None:
                self.on_failure(exc, state.attempt_number, delay)
            else:
                log.warning("%s (attempt %d); retrying in %.1f s", exc, state.attempt_number, delay)


class Rpc:
    """JSON-RPC over HTTP to one node; every failure is a `NodeError` with one clear line.

    Without `retry` each request is one attempt; with it, transport failures are retried.
    """

    def __init__(self, url: str, timeout: float = 30.0, retry: Retry | None = None) -> None:
        self.url = url
        self.timeout = timeout
        self.retry = retry
        self._session = requests.Session()
        self._ids = itertools.count(1)

    def close(self) -> None:
        self._session.close()

    def call(self, method: str, params: Sequence[Any] = ()) -> Any:
        return self.batch([(method, params)])[0]

    def batch(self, calls: Sequence[Call]) -> list[Any]:
        """Results of `calls`, in order, sent as one request (a JSON-RPC batch if more than one)."""
        if not calls:
            return []
        return self._retried(lambda: self._batch_once(calls))

    def batch_many(self, calls: Sequence[Call], size: int = BATCH_SIZE) -> list[Any]:
        """Results of many `calls`, in order, as several batches sent in parallel."""
        chunks = [calls[start : start + size] for start in range(0, len(calls), size)]
        if len(chunks) <= 1:
            return [result for chunk in chunks for result in self.batch(chunk)]
        with ThreadPoolExecutor(PARALLEL_REQUESTS) as pool:
            return [result for answers in pool.map(self.batch, chunks) for result in answers]

    def raw(self, payload: Any, retry: bool = True) -> Any:
        """The node's reply to `payload` as it is (errors included), transport failures retried."""
        return self._retried(lambda: self.post(payload)) if retry else self.post(payload)

    def _retried(self, fn: Callable[[], T]) -> T:
        return self.retry.run(fn) if self.retry is not None else fn()

    def _batch_once(self, calls: Sequence[Call]) -> list[Any]:
        payload = [
            {"jsonrpc": "2.0", "id": next(self._ids), "method": m, "params": list(p)} for m, p in calls
        ]
        body = self.post(payload if len(payload) > 1 else payload[0])
        answers = body if isinstance(body, list) else [body]
        by_id = {a.get("id"): a for a in answers if isinstance(a, dict)}
        if len(payload) > 1 and not by_id and isinstance(body, dict):
            # a node that refuses batches answers one error object for the whole request
            return [_result(str(payload[0]["method"]), body)]
        results = []
        for request in payload:
            answer = by_id.get(request["id"])
            if answer is None:
                raise TransportError(self.url, f"no answer to {request['method']} in the reply")
            results.append(_result(str(request["method"]), answer))
        return results

    def post(self, payload: Any) -> Any:
        """One HTTP request: the decoded JSON reply, or a `TransportError` / `RangeTooLarge`."""
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
