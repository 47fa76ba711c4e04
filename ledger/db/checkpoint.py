"""Background WAL checkpoints for SQLite mirrors.

In WAL mode the connection whose commit pushes the log past its limit copies the log into the
database file itself. For the indexer that is its writer, the bottleneck of a backfill; here a
thread of its own does that copy after each commit, while the writer prepares the next range.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Connection, Engine

# The writer's own checkpoint threshold while a background checkpointer runs: a safety net only.
WRITER_WAL_PAGES = 20_000


class Checkpointer:
    """Runs `PRAGMA wal_checkpoint(PASSIVE)` after each `poke()`; does nothing on PostgreSQL."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.active = engine.dialect.name == "sqlite"
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        if self.active:
            self._thread = threading.Thread(target=self._run, name="sqlite-checkpoint", daemon=True)
            self._thread.start()

    def prepare_writer(self, conn: Connection) -> None:
        """Leaves the log to this thread (within the safety net) for `conn`'s commits."""
        if self.active:
            conn.exec_driver_sql(f"PRAGMA wal_autocheckpoint={WRITER_WAL_PAGES}")

    def poke(self) -> None:
        self._wake.set()

    def _run(self) -> None:
        with self.engine.connect() as conn:
            raw = conn.connection.driver_connection
            assert raw is not None
            while not self._stop.is_set():
                self._wake.wait()
                self._wake.clear()
                # on the driver connection, outside any transaction: a checkpoint inside one
                # could not pass the transaction's own snapshot
                raw.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()

    def close(self) -> None:
        if self._thread is not None:
            self._stop.set()
            self._wake.set()
            self._thread.join(timeout=30)
            self._thread = None


@contextmanager
def checkpointing(engine: Engine) -> Iterator[Checkpointer]:
    checkpointer = Checkpointer(engine)
    try:
        yield checkpointer
    finally:
        checkpointer.close()
