"""The background loops of the sending process: a cycle repeated until stopped, never ended by
an error (the node or the database down for a while): it is logged and the cycle tried again."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from ledger.errors import LedgerError

log = logging.getLogger("ledger.operator")
PAUSE_AFTER_ERROR = 1.0  # seconds


def run_cycles(name: str, cycle: Callable[[], bool], stop: threading.Event, poll: float) -> None:
    """Calls `cycle()` until `stop` is set; waits `poll` seconds when it had nothing to do."""
    while not stop.is_set():
        try:
            busy = cycle()
        except LedgerError as exc:
            log.warning("%s: %s", name, exc)
            stop.wait(PAUSE_AFTER_ERROR)
            continue
        except Exception:  # the thread must outlive any one failure; the traceback is logged
            log.exception("%s: unexpected error", name)
            stop.wait(PAUSE_AFTER_ERROR)
            continue
        if not busy:
            stop.wait(poll)
