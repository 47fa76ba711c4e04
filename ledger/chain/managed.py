"""A node process this package starts on 127.0.0.1: anvil (`ledger.chain.node`) or Hardhat
(`ledger.chain.hardhat`).

Foreground, the process belongs to the `ManagedNode` that started it; detached, it outlives its
starter and a pid file in the node directory finds it again.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import ClassVar

import requests

from ledger.errors import NodeError

PROJECT_ROOT = Path(__file__).resolve().parents[2]


def rpc_answers(url: str, timeout: float = 1.0) -> bool:
    """Whether a JSON-RPC node answers `eth_chainId` at `url`."""
    try:
        reply = requests.post(
            url, json={"jsonrpc": "2.0", "id": 1, "method": "eth_chainId", "params": []}, timeout=timeout
        )
        return reply.ok and "result" in reply.json()
    except (requests.RequestException, ValueError):
        return False


@dataclass
class ManagedNode:
    """One node process on 127.0.0.1: foreground (owned by this object) or detached (pid file)."""

    name: ClassVar[str]  # names the pid and log files, and the node in messages
    start_timeout: ClassVar[float] = 20.0  # seconds to wait for the first answer
    poll_every: ClassVar[float] = 0.05

    directory: Path
    port: int = 8545
    block_time: float | None = None
    process: subprocess.Popen[bytes] | None = field(default=None, repr=False)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def pid_file(self) -> Path:
        return self.directory / f"{self.name}.pid"

    @property
    def log_file(self) -> Path:
        return self.directory / f"{self.name}.log"

    def command(self) -> list[str]:
        """The node's command line; raises `ConfigError` when the node is not installed."""
        raise NotImplementedError

    def working_directory(self) -> Path | None:
        return None

    def environment(self) -> dict[str, str] | None:
        return None  # this process's own

    def on_ready(self) -> None:
        """Runs once the node answers, before `start` returns."""

    def start(self, detach: bool = False, timeout: float | None = None) -> None:
        """Starts the node and waits until it answers; raises `NodeError` if it does not."""
        if rpc_answers(self.url):
            raise NodeError(f"something already answers on {self.url}: stop it or pick another port")
        command = self.command()
        self.directory.mkdir(parents=True, exist_ok=True)
        with self.log_file.open("ab") as log:
            self.process = subprocess.Popen(
                command,
                cwd=self.working_directory(),
                env=self.environment(),
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=detach,
            )
        timeout = self.start_timeout if timeout is None else timeout
        deadline = time.monotonic() + timeout
        while not rpc_answers(self.url, timeout=0.5):
            if self.process.poll() is not None:
                code, self.process = self.process.returncode, None
                raise NodeError(
                    f"{self.name} exited with code {code}: {self._reason_in_log()} (log {self.log_file})"
                )
            if time.monotonic() > deadline:
                self.stop()
                raise NodeError(
                    f"{self.name} did not answer on {self.url} within {timeout:g} s; see {self.log_file}"
                )
            time.sleep(self.poll_every)
        self.on_ready()
        if detach:
            self.pid_file.write_text(f"{self.process.pid}\n", encoding="utf-8")

    def running_pid(self) -> int | None:
        """The pid of a detached node started from this directory, if it still runs."""
        try:
            pid = int(self.pid_file.read_text(encoding="utf-8").strip())
            os.kill(pid, 0)
        except (FileNotFoundError, ValueError, ProcessLookupError, PermissionError):
            return None
        return pid

    def stop(self, timeout: float = 10.0) -> bool:
        """Stops the node (SIGTERM, then SIGKILL after `timeout`); returns whether one ran."""
        if self.process is not None:
            process, self.process = self.process, None
            if process.poll() is not None:
                return False
            process.terminate()
            try:
                process.wait(timeout)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
            return True
        pid = self.running_pid()
        self.pid_file.unlink(missing_ok=True)
        return pid is not None and _terminate_pid(pid, timeout)

    def wait(self) -> int:
        """Blocks until a foreground node exits; returns its exit code."""
        return 0 if self.process is None else self.process.wait()

    def _reason_in_log(self) -> str:
        """Why the node exited: the log's first error line (and its detail), else its last line."""
        try:
            text = self.log_file.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return "no log"
        lines = [line.strip() for line in text.splitlines() if line.strip()]
        for index, line in enumerate(lines):
            if "Error" in line:
                detail = lines[index + 1] if line.endswith(":") and index + 1 < len(lines) else ""
                return f"{line} {detail}".strip()
        return lines[-1] if lines else "empty log"


def _terminate_pid(pid: int, timeout: float) -> bool:
    try:
        os.kill(pid, signal.SIGTERM)
    except ProcessLookupError:
        return False
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if _gone(pid):
            return True
        time.sleep(0.05)
    os.kill(pid, signal.SIGKILL)
    return True


def _gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    # A node this very process started detached stays a zombie, still signalable, until reaped.
    try:
        reaped, _ = os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:
        return False  # not our child: its own parent (or init) reaps it
    return reaped == pid
