"""One writer at a time per ledger: an exclusive lock file in the data directory.

Every command that sends to a ledger (and the operator API's sender) holds the lock of that
ledger (chain id and contract) from its first look-up to its last receipt, so two runs on the
same data can never both decide that a reference is free and both send it. The lock is the
operating system's (`flock`, through the `filelock` library): a killed holder releases it.
"""

from __future__ import annotations

import json
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path
from types import TracebackType

from filelock import FileLock, Timeout

from ledger.errors import LockBusy


def lock_path(directory: Path, chain_id: int, address: str) -> Path:
    return directory / f"{chain_id}-{address.lower()}.lock"


class WriteLock:
    """The write lock of one ledger; a context manager that waits up to `wait` seconds (None: for ever)."""

    def __init__(
        self,
        directory: Path,
        chain_id: int,
        address: str,
        wait: float | None = None,
        on_wait: Callable[[str], None] | None = None,
    ) -> None:
        self.path = lock_path(directory, chain_id, address)
        self.holder_path = self.path.with_suffix(".holder")
        self.ledger = f"ledger {address} on chain {chain_id}"
        self.wait = wait
        self.on_wait = on_wait
        self._lock = FileLock(self.path, fallback_to_soft=False, thread_local=False)

    def __enter__(self) -> WriteLock:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self._lock.acquire(timeout=0)
        except Timeout:
            holder = self.holder()
            if self.wait is not None and self.wait <= 0:
                raise LockBusy(f"another writer ({holder}) is sending to {self.ledger}") from None
            limit = "" if self.wait is None else f" (up to {self.wait:g} s; --wait changes it)"
            if self.on_wait is not None:
                self.on_wait(f"waiting for another writer ({holder}) to finish with {self.ledger}{limit}")
            try:
                self._lock.acquire(timeout=-1 if self.wait is None else self.wait)
            except Timeout:
                raise LockBusy(
                    f"another writer ({holder}) still sends to {self.ledger} after {self.wait:g} s; "
                    "nothing was sent: try again later"
                ) from None
        self.holder_path.write_text(
            json.dumps({"pid": os.getpid(), "command": _command(), "since": time.time()}), encoding="utf-8"
        )
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.holder_path.unlink(missing_ok=True)
        self._lock.release()

    def holder(self) -> str:
        """Who holds the lock, as far as its holder said (pid, command, since when)."""
        try:
            info = json.loads(self.holder_path.read_text(encoding="utf-8"))
            since = time.strftime("%H:%M:%S", time.localtime(float(info["since"])))
            return f"pid {int(info['pid'])}, `{info['command']}`, since {since}"
        except (OSError, ValueError, KeyError, TypeError):
            return "a process that has not said who it is yet"


def _command() -> str:
    name = Path(sys.argv[0]).name if sys.argv else "python"
    return " ".join([name, *sys.argv[1:3]])[:80]
