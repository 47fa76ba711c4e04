"""The indexer loop: read a range, transform it, load it with the cursor; handle reorgs and faults."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from contextlib import nullcontext
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from sqlalchemy import Engine

from ledger.chain.rpc import Retry, Rpc
from ledger.db.bulk import bulk_loading, restore_indexes
from ledger.db.checkpoint import Checkpointer, checkpointing
from ledger.db.migrate import upgrade
from ledger.errors import ConfigError, IndexerError, TransportError
from ledger.indexer.cursor import (
    CursorMoved,
    CursorState,
    ensure_cursor,
    find_ancestor,
    lock_cursor,
    read_state,
    rollback,
)
from ledger.indexer.extract import ChainMoved, Extractor, RangeData, RangeSizer
from ledger.indexer.load import (
    PlayerCache,
    Progress,
    record_failure,
    report_error,
    write_batch,
    write_status,
    writing,
)
from ledger.indexer.pipeline import BULK_BUDGET, ReadAhead
from ledger.indexer.transform import Batch, TransformFailed, transform

if TYPE_CHECKING:  # web3 takes most of a second to import: a restarted indexer does not need it
    from web3 import Web3

log = logging.getLogger("ledger.indexer")
UNSETTLED_LIMIT = 20
# Entries behind the chain's count from which the next ranges are read ahead while each is
# written (and, into an empty mirror, bulk loaded: indexes built once at the end). Counted in
# entries, not blocks: one block can carry thousands of batch rows.
BULK_ENTRIES = 5_000
COLD_BLOCKS = 64  # when the node cannot tell the entry count: blocks behind that make a backfill


@dataclass
class Options:
    confirmations: int = 12  # depth taken as final when the node has no finalized/safe tag
    poll_interval: float = 0.1  # seconds between head polls in follow mode
    retry_for: float | None = 120.0  # seconds an unreachable node is retried; None: for ever
    rpc_timeout: float = 30.0
    initial_range: int = 2_000
    max_range: int = 100_000
    status_every: float = 5.0  # seconds between status rows while idle
    bulk_entries: int = BULK_ENTRIES  # entries behind from which ranges are read ahead (bulk when cold)


@dataclass
class Stats:
    first_block: int = 0
    last_block: int = 0
    events: int = 0
    entries: int = 0
    reorgs: int = 0
    seconds: float = 0.0
    steps: int = 0


@dataclass
class Indexer:
    """Mirrors one ledger contract from one node into one database."""

    rpc_url: str
    contract: str
    engine: Engine
    start_block: int | None = None
    options: Options = field(default_factory=Options)
    on_progress: Callable[[Progress], None] | None = None
    stop: threading.Event = field(default_factory=threading.Event)

    def __post_init__(self) -> None:
        backoff = Retry(give_up_after=self.options.retry_for, stop=self.stop, on_failure=self._on_failure)
        sizer = RangeSizer(size=self.options.initial_range, maximum=self.options.max_range)
        self.extractor = Extractor(Rpc(self.rpc_url, self.options.rpc_timeout), self.contract, backoff, sizer)
        self.stats = Stats()
        self._last_status = 0.0
        self._state: CursorState | None = None
        self.players = PlayerCache()
        self._checkpointer: Checkpointer | None = None
        self._unsettled = 0  # range reads in a row that saw the chain move under an unchanged tip

    def _on_failure(self, exc: TransportError, attempt: int, delay: float) -> None:
        log.warning("%s (attempt %d); retrying in %.1f s", exc, attempt, delay)
        if attempt == 1 or attempt % 10 == 0:
            report_error(self.engine, f"{exc} (attempt {attempt}, retrying)")

    def prepare(self) -> CursorState:
        """Creates the schema and the cursor on first use; checks the database mirrors this ledger."""
        upgrade(self.engine)
        if restore_indexes(self.engine):
            log.warning("rebuilt the indexes an interrupted bulk load had left out")
        chain_id = int(self.extractor.call("eth_chainId"), 16)
        with self.engine.connect() as conn:
            existing = read_state(conn)
        start = existing.start_block if existing else self._start_block()
        parent = "0x" + "00" * 32
        if existing is None:
            # The first block's own parent link is the base: what the node says that block follows.
            first = self.extractor.blocks([start])[start]
            if first is None:
                raise ConfigError(f"the chain has no block {start}: check the start block")
            parent = first.parent_hash
        self._state = ensure_cursor(self.engine, chain_id, self.contract, start, parent)
        self.stats.first_block = self.stats.last_block = self._state.last_block
        return self._state

    def _start_block(self) -> int:
        if self.start_block is not None:
            return self.start_block
        return self.extractor.deployment_block()

    @property
    def state(self) -> CursorState:
        if self._state is None:
            return self.prepare()
        return self._state

    def step(self) -> bool:
        """Indexes the next range; returns False when the mirror is at the chain head."""
        state = self.state
        head = self.extractor.head_number()
        if state.last_block >= head:
            if not self._tip_is_canonical(state):
                self._handle_reorg(state, head)
                return True
            self._idle_status(state, head)
            return False
        if self._far_behind(state, head):
            return self._read_ahead(head)  # overlap reading and writing; bulk load when cold
        try:
            data = self.extractor.read_range(state.last_block + 1, head, state.last_block_hash)
        except ChainMoved as moved:
            return self._chain_moved(state, head, moved)
        finalized = self.extractor.finalized(data.head.number, self.options.confirmations)
        self._write(data, self._transform(data, state), finalized)
        if head - data.end > 2 * self.extractor.sizer.size:
            return self._read_ahead(head)  # far behind: overlap reading and writing
        return data.end < head

    def _far_behind(self, state: CursorState, head: int) -> bool:
        """Whether the mirror is at least `bulk_entries` entries behind the chain at `head`."""
        count = self.extractor.entry_count(head)
        if count is None:  # a node that cannot run the view: judge an empty mirror by blocks
            return state.mirror.count == 0 and head - state.last_block > COLD_BLOCKS
        return count - state.mirror.count >= self.options.bulk_entries

    def _transform(self, data: RangeData, state: CursorState) -> Batch:
        try:
            return transform(data.logs, data.blocks, state.mirror, state.chain_id, state.contract)
        except TransformFailed as failure:
            record_failure(self.engine, state.chain_id, failure)
            raise

    def _write(self, data: RangeData, batch: Batch, finalized: int) -> None:
        lag = float(data.head.timestamp - data.tip.timestamp)
        progress = Progress(data.end, data.head.number, lag, len(batch.entries))
        self._state = write_batch(
            self.engine, batch, self.state, data.tip, finalized, progress, self.players, self._checkpointer
        )
        self._count(len(batch.events), len(batch.entries), data.end)
        self._unsettled = 0
        log.info(
            "indexed blocks %d-%d: %d events, %d entries; chain head %d, lag %d blocks (%.0f s)",
            data.start, data.end, len(batch.events), len(batch.entries), data.head.number,
            data.head.number - data.end, lag,
        )  # fmt: skip
        if self.on_progress is not None:
            self.on_progress(progress)

    def _read_ahead(self, head: int) -> bool:
        """Far behind: the next ranges are read and transformed while each is written; into an
        empty mirror, as a bulk load (indexes built once at the end)."""
        state = self.state
        cold = state.mirror.count == 0
        reader = ReadAhead(
            self.extractor, state, head, self.options.confirmations, self.engine.dialect.name,
            BULK_BUDGET if cold else None,
        )  # fmt: skip
        bulk = bulk_loading(self.engine) if cold else nullcontext()
        try:
            with bulk:
                reader.drain(lambda p: self._write(p.data, p.batch, p.finalized), self.stop)
        except ChainMoved as moved:
            self._chain_moved(self.state, head, moved)
        except TransformFailed as failure:
            record_failure(self.engine, state.chain_id, failure)
            raise
        return True

    def _count(self, events: int, entries: int, last_block: int) -> None:
        self.stats.events += events
        self.stats.entries += entries
        self.stats.last_block = last_block
        self.stats.steps += 1

    def _chain_moved(self, state: CursorState, head: int, moved: ChainMoved) -> bool:
        """A range read across a change of the chain: a reorg under the cursor, or a race that
        settles; a node whose answers never settle is an error, not a loop."""
        log.info("the chain moved while reading (%s)", moved)
        if not self._tip_is_canonical(state):
            self._unsettled = 0
            self._handle_reorg(state, head)
            return True
        self._unsettled += 1
        if self._unsettled >= UNSETTLED_LIMIT:
            raise IndexerError(
                f"the node's answers do not settle ({moved}) although block {state.last_block} "
                "is unchanged: check the node"
            )
        self.stop.wait(min(0.05 * 2**self._unsettled, 2.0))
        return True

    def _tip_is_canonical(self, state: CursorState) -> bool:
        if state.last_block < 0:
            return True
        block = self.extractor.blocks([state.last_block])[state.last_block]
        return block is not None and block.hash == state.last_block_hash

    def _handle_reorg(self, state: CursorState, head: int) -> None:
        ancestor, ancestor_hash = find_ancestor(self.engine, self.extractor, state)
        self.players.clear()
        with writing(self.engine) as conn:
            lock_cursor(conn, state)
            removed = rollback(conn, ancestor, ancestor_hash)
            write_status(conn, Progress(ancestor, head, 0.0), reorg=True)
            self._state = read_state(conn)
        self.stats.reorgs += 1
        log.warning(
            "reorg: blocks after %d were replaced; rolled back %d blocks and %d entries to the common ancestor %d",
            ancestor, state.last_block - ancestor, removed, ancestor,
        )  # fmt: skip

    def _idle_status(self, state: CursorState, head: int) -> None:
        now = time.monotonic()
        if now - self._last_status < self.options.status_every:
            return
        self._last_status = now
        with writing(self.engine) as conn:
            write_status(conn, Progress(state.last_block, head, 0.0))

    def run(self, follow: bool = True) -> Stats:
        """Indexes until the head (and returns), or follows the chain until `stop` is set."""
        began = time.monotonic()
        if self._state is None:
            self.prepare()
        target = self.extractor.head_number()
        with checkpointing(self.engine) as checkpointer:
            self._checkpointer = checkpointer
            try:
                self._loop(follow, target)
            finally:
                self._checkpointer = None
        self.stats.seconds = time.monotonic() - began
        return self.stats

    def _loop(self, follow: bool, target: int) -> None:
        while not self.stop.is_set():
            try:
                more = self.step()
            except CursorMoved as moved:
                log.warning("%s; reading the cursor again", moved)
                self._state = None
                self.players.clear()
                continue
            except TransportError:
                if self.stop.is_set():
                    break  # asked to stop while waiting for the node
                raise
            if not follow and self.state.last_block >= target:
                break
            if not more:
                self.stop.wait(self.options.poll_interval)

    def close(self) -> None:
        self.extractor.rpc.close()


def endpoint_of(w3: Web3) -> str:
    url = getattr(w3.provider, "endpoint_uri", None)
    if not url:
        raise ConfigError("the indexer needs a Web3 on an HTTP JSON-RPC endpoint")
    return str(url)


def catch_up(
    w3: Web3,
    contract_address: str,
    engine: Engine,
    start_block: int | None = None,
    options: Options | None = None,
) -> Stats:
    """Backfills the mirror of the ledger at `contract_address` up to the chain's current head."""
    indexer = Indexer(endpoint_of(w3), contract_address, engine, start_block, options or Options())
    try:
        return indexer.run(follow=False)
    finally:
        indexer.close()
