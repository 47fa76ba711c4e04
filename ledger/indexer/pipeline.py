"""Catching up from far behind: one thread reads and transforms the next ranges while the caller
writes the current one, so the node, Python and the database work at the same time."""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable
from dataclasses import dataclass

from ledger.indexer.cursor import CursorState
from ledger.indexer.extract import Extractor, RangeData
from ledger.indexer.load import prepare_rows
from ledger.indexer.transform import Batch, MirrorHead, transform

DEPTH = 2  # ranges read ahead of the writer
# Log data (hex characters) of one range of a bulk load, about 31,000 batch rows: fewer, larger
# transactions mean fewer rewrites of the players they touch, at about 100 MB of rows in memory.
BULK_BUDGET = 4_000_000


@dataclass(frozen=True)
class Prepared:
    data: RangeData
    batch: Batch
    finalized: int


class ReadAhead:
    """Yields prepared ranges from the cursor up to `target`; stops at the first error, which it
    re-raises in the caller's thread (a moved chain ends the read-ahead; the caller re-checks)."""

    def __init__(
        self, extractor: Extractor, state: CursorState, target: int, confirmations: int, dialect: str,
        budget: int | None = None,
    ) -> None:  # fmt: skip
        self._dialect = dialect
        self._budget = budget
        self._queue: queue.Queue[Prepared | BaseException | None] = queue.Queue(maxsize=DEPTH)
        self._halt = threading.Event()
        self._args = (extractor, state, target, confirmations)
        self._thread = threading.Thread(target=self._produce, name="indexer-read-ahead", daemon=True)
        self._thread.start()

    def _produce(self) -> None:
        extractor, state, target, confirmations = self._args
        last, last_hash, mirror = state.last_block, state.last_block_hash, state.mirror
        try:
            while last < target and not self._halt.is_set():
                data = extractor.read_range(last + 1, target, last_hash, self._budget)
                finalized = extractor.finalized(data.head.number, confirmations)
                batch = transform(data.logs, data.blocks, mirror, state.chain_id, state.contract)
                batch.prepared = prepare_rows(batch, self._dialect)
                self._put(Prepared(data, batch, finalized))
                last, last_hash, mirror = data.end, data.tip.hash, batch.head
        except BaseException as exc:  # handed to the writer's thread, which decides
            self._put(exc)
        finally:
            self._put(None)

    def _put(self, item: Prepared | BaseException | None) -> None:
        while not self._halt.is_set():
            try:
                self._queue.put(item, timeout=0.1)
                return
            except queue.Full:
                continue

    def drain(self, write: Callable[[Prepared], None], stop: threading.Event) -> None:
        """Hands each prepared range to `write`, in order, until done or `stop`; re-raises a
        read-ahead error."""
        try:
            while not stop.is_set() and (item := self._queue.get()) is not None:
                if isinstance(item, BaseException):
                    raise item
                write(item)
        finally:
            self._halt.set()
            self._thread.join()


__all__ = ["MirrorHead", "Prepared", "ReadAhead"]
