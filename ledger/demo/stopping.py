"""Stopping the demo: Ctrl-C (or SIGTERM, or a closed terminal) ends everything within seconds.

The first signal interrupts whatever the demo is doing (a KeyboardInterrupt in the main thread)
and starts a watchdog: if the orderly stop has not finished by the deadline, the watchdog kills
every process the demo started and exits. Handlers are installed explicitly, so a demo started
with SIGINT ignored (a background job of a script) still stops on it.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from types import FrameType

SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
SHOW_CURSOR = "\x1b[?25h"  # a progress bar hides it; a forced exit must give it back

Processes = Callable[[], Iterable[subprocess.Popen[bytes] | None]]


class Shutdown:
    """One demo's stop: what it is doing, what it started, and the deadline for stopping it."""

    def __init__(self, deadline: float = 3.5, message: Callable[[str], str] | None = None) -> None:
        self.deadline = deadline
        self.doing = "starting"
        self.requested = threading.Event()
        self.finished = threading.Event()
        self._sources: list[Processes] = []
        self._deferred = 0
        self._pending = False
        self._message = message or (lambda doing: f"stopped while {doing}")

    def install(self) -> None:
        for sig in SIGNALS:
            signal.signal(sig, self._on_signal)

    def track(self, source: Processes) -> None:
        """Processes the watchdog kills if the orderly stop overruns (asked for when it fires)."""
        self._sources.append(source)

    def phase(self, doing: str) -> None:
        """What the demo does now; the stop message names it."""
        self.doing = doing

    @contextmanager
    def deferred(self) -> Iterator[None]:
        """A stretch that must not be cut in the middle (writing a key file, starting a process):
        a signal inside it interrupts right after it."""
        self._deferred += 1
        try:
            yield
        finally:
            self._deferred -= 1
        if not self._deferred and self._pending:
            self._pending = False
            raise KeyboardInterrupt

    @contextmanager
    def cleaning_up(self) -> Iterator[None]:
        """The orderly stop itself: further signals no longer interrupt it."""
        self._deferred += 1
        self._pending = False
        try:
            yield
        finally:
            self.kill_all()
            self.finished.set()

    @property
    def message(self) -> str:
        return self._message(self.doing)

    def _on_signal(self, signum: int, frame: FrameType | None) -> None:
        if self.requested.is_set():
            return  # a second Ctrl-C: the stop is under way and bounded by the watchdog
        self.requested.set()
        threading.Thread(target=self._watchdog, name="demo-stop-watchdog", daemon=True).start()
        if self._deferred:
            self._pending = True
            return
        raise KeyboardInterrupt

    def _watchdog(self) -> None:
        if self.finished.wait(self.deadline):
            return
        self.kill_all(grace=0.5)  # SIGTERM first: the node saves its state in a few milliseconds
        cursor = SHOW_CURSOR if sys.stdout.isatty() else ""
        os.write(sys.stdout.fileno(), f"{cursor}> {self.message} (forced)\n".encode())
        os._exit(130)

    def kill_all(self, grace: float = 0.0) -> None:
        """Ends every tracked process still running: SIGTERM, then SIGKILL after `grace` seconds."""
        running = [p for source in self._sources for p in source() if p is not None and p.poll() is None]
        for process in running if grace else []:
            process.terminate()
        deadline = time.monotonic() + grace
        for process in running:
            try:
                process.wait(timeout=max(0.0, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
