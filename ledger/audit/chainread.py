"""The ledger's logs over block ranges, with the blocks that hold them, read ahead of the audit.

One `eth_getLogs` a range and the range's blocks (with their transactions, for senders and
times) in JSON-RPC batches: requests grow with blocks and ranges, never with entries. The range
adapts to about `TARGET_DATA` of log data, halving when the node refuses it as too big. A thread
reads the next ranges, and turns them into what the mirror must hold, while the audit compares
the current one with the mirror.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from ledger.audit.chainviews import ChainViews
from ledger.audit.expected import ChainBlock, chain_block
from ledger.errors import NodeError, RangeTooLarge
from ledger.events import LedgerEvent, decode_log

TARGET_DATA = 2_000_000  # hex characters of log data a range aims at (about 15,000 batch rows)
FIRST_RANGE = 4  # blocks; doubles while ranges stay light (one busy block can hold megabytes of logs)
MAX_RANGE = 100_000
AHEAD = 2  # ranges read ahead of the one being compared
BLOCKS_DATA = 4_000_000  # about what one batch of full blocks weighs, in characters of JSON
BLOCKS_AT_ONCE = 200  # blocks in one batch at most
T = TypeVar("T")


@dataclass(frozen=True)
class ChainRange:
    start: int
    end: int
    events: list[LedgerEvent]
    blocks: dict[int, ChainBlock]  # every block holding one of `events`


class _Done:
    pass


@dataclass(frozen=True)
class Built(Generic[T]):
    range: ChainRange
    built: T


def read_ranges(
    views: ChainViews, start: int, end: int, build: Callable[[ChainRange], T]
) -> Iterator[Built[T]]:
    """The ranges from `start` to `end` in order, each with `build(range)`, read and built by a
    thread one or two ranges ahead (`build` is called in order, from that thread only)."""
    found: queue.Queue[Built[T] | BaseException | _Done] = queue.Queue(maxsize=AHEAD)
    stop = threading.Event()

    def put(item: Built[T] | BaseException | _Done) -> None:
        while not stop.is_set():
            try:
                found.put(item, timeout=0.2)
                return
            except queue.Full:
                continue

    def produce() -> None:
        try:
            for chain_range in _ranges(views, start, end):
                put(Built(chain_range, build(chain_range)))
                if stop.is_set():
                    return
            put(_Done())
        except BaseException as exc:  # handed to the consumer, which raises it
            put(exc)

    thread = threading.Thread(target=produce, name="audit-read-ahead", daemon=True)
    thread.start()
    try:
        while True:
            item = found.get()
            if isinstance(item, _Done):
                return
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        stop.set()
        thread.join(timeout=5)  # a daemon: a read in flight is abandoned


def _ranges(views: ChainViews, start: int, end: int) -> Iterator[ChainRange]:
    size = FIRST_RANGE
    while start <= end:
        last = min(end, start + size - 1)
        try:
            logs = views.logs(start, last)
        except RangeTooLarge:
            if size == 1:
                raise
            size = max(1, size // 2)
            continue
        logs = [log for log in logs if not log.get("removed")]
        yield _with_blocks(views, start, last, logs)
        data = sum(len(log.get("data", "")) for log in logs)
        blocks = last - start + 1
        size = max(1, min(MAX_RANGE, blocks * 2, blocks * TARGET_DATA // max(data, 1)))
        start = last + 1


def _groups(logs: list[dict[str, Any]]) -> list[list[int]]:
    """The blocks holding `logs`, grouped for JSON-RPC batches of about `BLOCKS_DATA` each: a full
    block weighs about its ledger log data (a batch's rows are in its transaction's input too)."""
    weight: dict[int, int] = {}
    for log in logs:
        number = int(log["blockNumber"], 16)
        weight[number] = weight.get(number, 0) + len(log.get("data", "")) + 1_000
    groups: list[list[int]] = []
    load = BLOCKS_DATA
    for number in sorted(weight):
        if load + weight[number] > BLOCKS_DATA or len(groups[-1]) == BLOCKS_AT_ONCE:
            groups.append([])
            load = 0
        groups[-1].append(number)
        load += weight[number]
    return groups


def _with_blocks(views: ChainViews, start: int, end: int, logs: list[dict[str, Any]]) -> ChainRange:
    events = [decode_log(log) for log in logs]
    blocks: dict[int, ChainBlock] = {}
    for group in _groups(logs):
        for number, raw in views.blocks(group, full=True).items():
            if raw is None:
                raise NodeError(f"the node has logs in block {number} but not the block: it is out of sync")
            blocks[number] = chain_block(raw)
    for event in events:
        if blocks[event.location.block_number].hash != "0x" + event.location.block_hash.hex():
            raise NodeError(
                f"the chain changed under the audit at block {event.location.block_number} "
                "(a reorganisation): reconcile again, or at an older block"
            )
    return ChainRange(start, end, events, blocks)
