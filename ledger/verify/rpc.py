"""A small JSON-RPC client for verification: plain JSON in and out, batched.

Verification reads many receipts and blocks; raw JSON-RPC batches keep that to a handful of round
trips and leave the logs in the hex shape `ledger.events.decode_log` reads.
"""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import requests

from ledger.errors import NodeError

BATCH_SIZE = 200  # requests per JSON-RPC batch: large enough to amortise, small enough for any node
PARALLEL_REQUESTS = 4


class Rpc:
    """JSON-RPC over HTTP to one node; every failure is a `NodeError` with one clear line."""

    def __init__(self, url: str, timeout: float = 30.0) -> None:
        self.url = url
        self.timeout = timeout
        self._session = requests.Session()

    def close(self) -> None:
        self._session.close()

    def _post(self, payload: Any) -> Any:
        try:
            reply = self._session.post(self.url, json=payload, timeout=self.timeout)
            reply.raise_for_status()
            return reply.json()
        except requests.exceptions.HTTPError as exc:
            raise NodeError(f"the node at {self.url} answered HTTP {exc.response.status_code}") from exc
        except requests.exceptions.RequestException as exc:
            raise NodeError(f"cannot reach the node at {self.url}: {type(exc).__name__}") from exc
        except ValueError as exc:
            raise NodeError(f"the node at {self.url} answered something that is not JSON") from exc

    def call(self, method: str, params: Sequence[Any]) -> Any:
        return self.batch([(method, params)])[0]

    def batch(self, calls: Sequence[tuple[str, Sequence[Any]]]) -> list[Any]:
        """The results of `calls`, in order; a node error on any of them is a `NodeError`.

        Large batches go as several requests at once: the node answers them in parallel."""
        chunks = [calls[start : start + BATCH_SIZE] for start in range(0, len(calls), BATCH_SIZE)]
        if len(chunks) <= 1:
            return [result for chunk in chunks for result in self._chunk(chunk)]
        with ThreadPoolExecutor(PARALLEL_REQUESTS) as pool:
            return [result for answers in pool.map(self._chunk, chunks) for result in answers]

    def _chunk(self, chunk: Sequence[tuple[str, Sequence[Any]]]) -> list[Any]:
        payload = [
            {"jsonrpc": "2.0", "id": i, "method": m, "params": list(p)} for i, (m, p) in enumerate(chunk)
        ]
        answers = self._post(payload)
        if not isinstance(answers, list):
            raise NodeError(f"the node at {self.url} refused a batch request: {answers!r:.200}")
        by_id = {a.get("id"): a for a in answers if isinstance(a, dict)}
        results = []
        for i, (method, _) in enumerate(chunk):
            answer = by_id.get(i)
            if answer is None or "error" in answer:
                error = (answer or {}).get("error", "no answer")
                raise NodeError(f"the node at {self.url} failed {method}: {error}")
            results.append(answer.get("result"))
        return results
