"""Delivering webhooks: signed POSTs, retried with exponential backoff, in order per webhook.

Each webhook's deliveries go out one at a time in the order they were queued (entry order): a
delivery that fails holds the ones behind it until it succeeds, so a receiver sees each player's
entries in sequence order. A failure is retried after 1, 2, 4 … seconds up to `max_backoff`;
after `max_attempts` it is `abandoned` (the delivery log shows it) and the next one goes.
Delivery is at least once: a receiver deduplicates on `X-Ledger-Delivery`.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

import httpx
from sqlalchemy import Engine, Row, select, update

from ledger.operator import tables as t
from ledger.operator.loop import run_cycles
from ledger.operator.outbox import begin_write
from ledger.operator.signing import sign
from ledger.operator.webhooks import enqueue

log = logging.getLogger("ledger.operator")
d = t.deliveries.c


class Dispatcher:
    def __init__(
        self, engine: Engine, max_backoff: float = 300.0, max_attempts: int = 25, timeout: float = 5.0
    ) -> None:
        self.engine = engine
        self.max_backoff = max_backoff
        self.max_attempts = max_attempts
        self.http = httpx.Client(timeout=timeout, follow_redirects=False)

    def run(self, stop: threading.Event, poll: float = 0.2) -> None:
        run_cycles("webhook dispatcher", self.cycle, stop, poll)

    def cycle(self) -> bool:
        """Queues what became final or failed, then sends each webhook's due deliveries in order."""
        busy = enqueue(self.engine) > 0
        hooks = {r.id: (r.url, r.secret) for r in self._hooks()}
        for hook_id, (url, secret) in hooks.items():
            while (head := self._head(hook_id)) is not None and head.next_attempt_at <= time.time():
                busy = True
                if not self._deliver(head, url, secret):
                    break
        return busy

    def _hooks(self) -> list[Row[Any]]:
        with self.engine.connect() as conn:
            return list(conn.execute(select(t.webhooks).where(t.webhooks.c.removed_at.is_(None))))

    def _head(self, hook_id: int) -> Row[Any] | None:
        query = (
            select(t.deliveries).where(d.webhook_id == hook_id, d.status == "pending").order_by(d.id).limit(1)
        )
        with self.engine.connect() as conn:
            return conn.execute(query).first()

    def _deliver(self, row: Row[Any], url: str, secret: str) -> bool:
        body: bytes = row.body.encode()
        now = int(time.time())
        headers = {
            "Content-Type": "application/json", "X-Ledger-Delivery": row.delivery_id,
            "X-Ledger-Timestamp": str(now), "X-Ledger-Signature": sign(secret, now, body),
        }  # fmt: skip
        try:
            answer = self.http.post(url, content=body, headers=headers)
            error = None if 200 <= answer.status_code < 300 else f"HTTP {answer.status_code}"
        except httpx.HTTPError as exc:
            error = f"{type(exc).__name__}: {exc}"[:300]
        attempts = row.attempts + 1
        if error is None:
            values: dict[str, object] = {"status": "delivered", "attempts": attempts, "delivered_at": now}
        else:
            backoff = min(self.max_backoff, 2.0 ** (attempts - 1))
            values = {"attempts": attempts, "last_error": error, "next_attempt_at": time.time() + backoff}
            if attempts >= self.max_attempts:
                values["status"] = "abandoned"
        with begin_write(self.engine) as conn, conn.begin():
            conn.execute(update(t.deliveries).where(d.id == row.id).values(**values))
        return error is None

    def close(self) -> None:
        self.http.close()
