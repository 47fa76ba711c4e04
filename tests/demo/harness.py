"""Running the demo as a user does, from a test: its output read by a thread, every wait bounded
by a real deadline, and the processes it started found by its session id."""

from __future__ import annotations

import contextlib
import os
import pty
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

import requests

from tests.conftest import wait_until

PROJECT = Path(__file__).resolve().parents[2]
DEMO = [sys.executable, str(PROJECT / "scripts" / "demo.py")]
STOPPED = "stopped while "
READY = "a new reward arrives"


def demo_env(node_port: int, api_port: int, players: int, data_dir: Path | None = None) -> dict[str, str]:
    """This environment without its LEDGER_ settings, plus the demo's own."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("LEDGER_")}
    env.update(
        LEDGER_NODE_PORT=str(node_port), LEDGER_API_PORT=str(api_port), LEDGER_DEMO_PLAYERS=str(players),
        PYTHONUNBUFFERED="1", COLUMNS="200",
    )  # fmt: skip
    if data_dir is not None:
        env["LEDGER_DATA_DIR"] = str(data_dir)
    return env


class Demo:
    """One demo process in a session of its own (as a terminal would start it)."""

    def __init__(self, argv: list[str], cwd: Path, env: dict[str, str], use_pty: bool = False) -> None:
        self.lines: list[str] = []
        self._changed = threading.Condition()
        self._closed = False
        self.started = time.monotonic()
        if use_pty:
            pid, fd = pty.fork()
            if pid == 0:  # the child: a session leader with the pty as its terminal
                os.chdir(cwd)
                os.execvpe(argv[0], argv, env)
            self.pid, self._fd, self.process = pid, fd, None
            read: Callable[[], bytes] = lambda: os.read(fd, 4096)  # noqa: E731
        else:
            self.process = subprocess.Popen(
                argv, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL, start_new_session=True,
            )  # fmt: skip
            self.pid, self._fd = self.process.pid, -1
            stdout = self.process.stdout
            assert stdout is not None
            read = lambda: os.read(stdout.fileno(), 4096)  # noqa: E731
        self._reader = threading.Thread(target=self._read, args=(read,), daemon=True)
        self._reader.start()
        self.returncode: int | None = None

    @property
    def output(self) -> str:
        with self._changed:
            return "\n".join(self.lines)

    def _read(self, read: Callable[[], bytes]) -> None:
        pending = b""
        while True:
            try:
                chunk = read()
            except OSError:  # a pty whose other side closed
                chunk = b""
            if not chunk:
                break
            pending += chunk
            *complete, pending = pending.split(b"\n")
            with self._changed:
                self.lines += [c.decode("utf-8", "replace").rstrip("\r") for c in complete]
                self._changed.notify_all()
        with self._changed:
            if pending:
                self.lines.append(pending.decode("utf-8", "replace"))
            self._closed = True
            self._changed.notify_all()

    def wait_for(self, text: str, timeout: float, after: int = 0) -> int:
        """Waits until a line from index `after` on contains `text`; returns that line's index."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while True:
                for index in range(after, len(self.lines)):
                    if text in self.lines[index]:
                        return index
                left = deadline - time.monotonic()
                if left <= 0 or self._closed:
                    tail = "\n".join(self.lines[-40:])
                    raise AssertionError(f"{text!r} not seen within {timeout:g} s; output:\n{tail}")
                self._changed.wait(left)

    def interrupt(self, group: bool = False) -> float:
        """Ctrl-C: SIGINT to the demo only, or to its whole process group as a terminal does."""
        if group:
            os.killpg(self.pid, signal.SIGINT)
        else:
            os.kill(self.pid, signal.SIGINT)
        return time.monotonic()

    def type_ctrl_c(self) -> float:
        os.write(self._fd, b"\x03")
        return time.monotonic()

    def wait_exit(self, timeout: float) -> int:
        """Waits for the demo to exit (and its output to end); fails the test past `timeout`."""
        deadline = time.monotonic() + timeout

        def exited() -> bool:
            if self.process is not None:
                self.returncode = self.process.poll()
            else:
                pid, status = os.waitpid(self.pid, os.WNOHANG)
                if pid:
                    self.returncode = os.waitstatus_to_exitcode(status)
            return self.returncode is not None

        if self.returncode is None:
            try:
                wait_until(exited, timeout=timeout, what="the demo's exit", interval=0.02)
            except AssertionError:
                raise AssertionError(
                    f"the demo still runs {timeout:g} s later; output:\n{self.output}"
                ) from None
        self._reader.join(timeout=max(0.1, deadline - time.monotonic()))
        assert self.returncode is not None
        return self.returncode

    def kill(self) -> None:
        """Cleanup after a failed test: the whole session goes."""
        for pid, _ in session_processes(self.pid):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        if self.returncode is None:
            with contextlib.suppress(AssertionError):
                self.wait_exit(5)


def session_processes(session: int) -> list[tuple[int, str]]:
    """Live (not zombie) processes of a session: pid and command line."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2 :].split()
        if int(fields[3]) == session and fields[0] != "Z":
            found.append((int(entry.name), cmdline.strip()))
    return found


def rpc(url: str, method: str, params: list[object]) -> object:
    reply = requests.post(
        url, json={"jsonrpc": "2.0", "id": 1, "method": method, "params": params}, timeout=5
    )
    body = reply.json()
    assert "error" not in body, body
    return body["result"]
