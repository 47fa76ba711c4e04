"""The demo's other processes: the indexer in follow mode and the API with the page in the
background, and the one-off `ledger` commands (catch-up, reconcile) in the foreground."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from pathlib import Path

import requests

from ledger.errors import LedgerError

STOP_GRACE = 1.0  # seconds a process gets to stop on SIGTERM before SIGKILL (killing is safe too)


@dataclass
class Services:
    """Child processes started by the demo; `stop()` ends them all (SIGTERM, then SIGKILL)."""

    log_dir: Path
    env: dict[str, str]
    guard: Callable[[], AbstractContextManager[None]] = nullcontext  # keeps Ctrl-C out of a start
    processes: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)
    foreground: subprocess.Popen[bytes] | None = None

    def all(self) -> Iterator[subprocess.Popen[bytes] | None]:
        """Every process started and not yet reaped (what a forced stop must kill)."""
        yield from list(self.processes.values())
        yield self.foreground

    def ledger(self, name: str, *args: str) -> subprocess.Popen[bytes]:
        """Starts `ledger <args>` in the background, its output in DATA_DIR/logs/<name>.log.

        It stays in the demo's process group: Ctrl-C on the terminal reaches it even if the
        demo itself could not pass it on."""
        self.log_dir.mkdir(parents=True, exist_ok=True)
        with (self.log_dir / f"{name}.log").open("ab") as log, self.guard():
            process = subprocess.Popen(
                [sys.executable, "-m", "ledger.cli", *args],
                stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, env=self.env,
            )  # fmt: skip
            self.processes[name] = process
        return process

    def run(self, *args: str, echo: Callable[[str], None]) -> None:
        """Runs `ledger <args>` to the end, passing its output lines to `echo`.

        It runs in a process group of its own, so a Ctrl-C on the terminal reaches the demo only
        (no half-finished lines from the command); the demo then stops it."""
        with self.guard():  # a Ctrl-C here would lose the process it is starting
            process = subprocess.Popen(
                [sys.executable, "-m", "ledger.cli", *args], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL, env=self.env, process_group=0,
            )  # fmt: skip
            self.foreground = process
        try:
            assert process.stdout is not None
            for line in process.stdout:
                echo(line.decode("utf-8", errors="replace").rstrip())
            code = process.wait()
        finally:
            _stop([process], STOP_GRACE / 2)
            self.foreground = None
        if code != 0:
            raise LedgerError(f"`ledger {' '.join(args)}` failed (exit {code})")

    def check(self) -> None:
        """Raises if a background process has died (its log says why)."""
        for name, process in self.processes.items():
            if process.poll() is not None:
                raise LedgerError(
                    f"the {name} stopped (exit {process.returncode}); see {self.log_dir / name}.log"
                )

    def wait_for_http(self, url: str, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self.check()
            try:
                if requests.get(url, timeout=1).ok:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.2)
        raise LedgerError(f"{url} did not answer within {timeout:g} s")

    def stop(self) -> None:
        _stop([*self.processes.values(), *([self.foreground] if self.foreground else [])], STOP_GRACE)
        self.processes.clear()
        self.foreground = None


def _stop(processes: list[subprocess.Popen[bytes]], grace: float) -> None:
    """SIGTERM to all at once, then SIGKILL to whatever still runs after `grace` seconds."""
    for process in processes:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + grace
    for process in processes:
        try:
            process.wait(timeout=max(0.01, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def child_env(overrides: dict[str, str]) -> dict[str, str]:
    env = dict(os.environ)
    env.update(overrides)
    env.setdefault("PYTHONUNBUFFERED", "1")
    return env
