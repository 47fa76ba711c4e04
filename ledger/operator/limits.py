"""Per-token rate limits: a token bucket per token and process (`LEDGER_OPERATOR_RATE` requests a
second, bursts up to `LEDGER_OPERATOR_BURST`); a request beyond it waits `retry_after` seconds."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field


@dataclass
class Buckets:
    rate: float
    burst: float
    _levels: dict[int, tuple[float, float]] = field(default_factory=dict)  # token id -> (tokens, when)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def take(self, token_id: int, now: float | None = None) -> float:
        """0 if the request may go now (one is taken), else the seconds until one is there."""
        now = time.monotonic() if now is None else now
        with self._lock:
            level, when = self._levels.get(token_id, (self.burst, now))
            level = min(self.burst, level + (now - when) * self.rate)
            if level >= 1:
                self._levels[token_id] = (level - 1, now)
                return 0.0
            self._levels[token_id] = (level, now)
            return (1 - level) / self.rate
