"""The demo's background processes: the indexer in follow mode and the API with the page."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import requests

from ledger.errors import LedgerError


@dataclass
class Services:
    """Child processes started by the demo; `stop()` ends them all (SIGTERM, then SIGKILL)."""

    log_dir: Path
    env: dict[str, str]
    processes: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)

    def ledger(self, name: str, *args: str) -> subprocess.Popen[bytes]:
        """Starts `ledger <args>` in the background, its output in DATA_DIR/logs/<name>.log."""
        self.log_dir.mkdir(parents=True, exist_ok=True)
        log = (self.log_dir / f"{name}.log").open("ab")
        command = [sys.executable, "-m", "ledger.cli", *args]
        process = subprocess.Popen(
            command, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, env=self.env
        )
        log.close()
        self.processes[name] = process
        return process

    def run(self, *args: str) -> None:
        """Runs `ledger <args>` to completion in the foreground (its progress on this terminal)."""
        done = subprocess.run([sys.executable, "-m", "ledger.cli", *args], env=self.env, check=False)
        if done.returncode != 0:
            raise LedgerError(f"`ledger {' '.join(args)}` failed (exit {done.returncode})")

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
        for process in self.processes.values():
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + 10
        for process in self.processes.values():
            try:
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        self.processes.clear()


def child_env(overrides: dict[str, str]) -> dict[str, str]:
    env = dict(os.environ)
    env.update(overrides)
    env.setdefault("PYTHONUNBUFFERED", "1")
    return env
