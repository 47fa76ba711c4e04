"""Row by row: the mirror's tables streamed beside the rows the chain says they must hold.

Each block range of the chain gives the rows it puts in `events`, `entries`, `payouts`,
`reversals`, `expiries` and `blocks`; the mirror's rows are taken from their streams up to the
same point (a sequence number, a block) and paired by key. A missing row, an extra row and every
differing column is a finding; a range's findings are reported in chain order, so the report's
first divergent row is the earliest one on the chain.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

from sqlalchemy import Connection

from ledger.audit import store
from ledger.audit.chainread import ChainRange
from ledger.audit.chainviews import ChainViews
from ledger.audit.expected import ChainBlock, Expected, Row, chain_block
from ledger.audit.mirror import MirrorFold
from ledger.audit.report import ReconcileReport
from ledger.audit.store import BLOCK_COLUMNS, ENTRY_COLUMNS, EVENT_COLUMNS, KIND_COLUMNS

# Where a finding sits on the chain: block, log index, table, sequence number.
Position = tuple[int, int, int, int]
BLOCKS, EVENTS, ENTRIES, KINDS = range(4)
ENTRY_BLOCK, ENTRY_TX, ENTRY_LOG = (
    ENTRY_COLUMNS.index(name) for name in ("block_number", "tx_hash", "log_index")
)
NAMES = {"payouts": "payout", "reversals": "reversal", "expiries": "expiry"}


def show(value: Any) -> str:
    return "none" if value is None else str(value)


class Stream:
    """A mirror query's rows in key order, taken a stretch at a time."""

    def __init__(self, rows: Iterator[list[Any]], key: Callable[[Any], Any]) -> None:
        self._parts, self._key = rows, key
        self._rows: list[Any] = []
        self._at = 0  # the next row in `_rows`

    def upto(self, bound: Any) -> list[Any]:
        """The next rows whose key is at most `bound` (all that are left when `bound` is None)."""
        out: list[Any] = []
        key = self._key
        while True:
            if self._at == len(self._rows):
                self._rows, self._at = next(self._parts, []), 0
                if not self._rows:
                    return out
            rows, start = self._rows, self._at
            if bound is None or key(rows[-1]) <= bound:
                out.extend(rows[start:])  # the whole part
                self._at = len(rows)
                continue
            end = start
            while key(rows[end]) <= bound:
                end += 1
            out.extend(rows[start:end])
            self._at = end
            return out


def pairs(chain: list[Row], mirror: list[Any], key: Callable[[Any], Any]) -> Iterator[tuple[Any, Any]]:
    """(chain row, mirror row) by key, None on the side that lacks it; both lists in key order."""
    i = j = 0
    while i < len(chain) or j < len(mirror):
        if j == len(mirror) or (i < len(chain) and key(chain[i]) < key(mirror[j])):
            yield chain[i], None
            i += 1
        elif i == len(chain) or key(mirror[j]) < key(chain[i]):
            yield None, mirror[j]
            j += 1
        else:
            yield chain[i], mirror[j]
            i, j = i + 1, j + 1


class RowAudit:
    """Compares the mirror's rows with the chain's, range by range, folding the mirror's entries."""

    def __init__(
        self, report: ReconcileReport, views: ChainViews, conn: Connection, upto: int | None
    ) -> None:
        self.report, self.views = report, views
        self.fold = MirrorFold()
        self.found: list[tuple[Position, str, str, str, str]] = []
        self.entries = Stream(store.entries(conn, upto), _first)
        self.events = Stream(store.events(conn, upto), lambda r: (r[0], r[1]))
        self.kinds = {name: Stream(store.kind_rows(conn, name, upto), _first) for name in KIND_COLUMNS}
        self.blocks = Stream(store.blocks(conn, upto), _first)
        self.checked = 0
        self.event_at: dict[int, tuple[str, int]] = {}  # this range's events by id: their location

    def add(self, at: Position, what: str, key: str, chain: Any, mirror: Any) -> None:
        self.found.append((at, what, key, show(chain), show(mirror)))

    def check(self, chain_range: ChainRange, expected: Expected, last_seq: int) -> None:
        """Compares the mirror's rows up to the end of `chain_range` (entries up to `last_seq`)."""
        self._blocks(chain_range.blocks, self.blocks.upto(chain_range.end))
        self.event_at.clear()
        self._events(expected.events, self.events.upto((chain_range.end, 2**63)))
        self._entries(expected.entries, self.entries.upto(last_seq))
        for name, rows in expected.kinds.items():
            self._kind_rows(name, rows, self.kinds[name].upto(last_seq))
        self._flush()

    def finish(self) -> None:
        """Whatever the mirror holds beyond the chain's last range is extra."""
        self._blocks({}, self.blocks.upto(None))
        self.event_at.clear()
        self._events([], self.events.upto(None))
        self._entries([], self.entries.upto(None))
        for name, stream in self.kinds.items():
            self._kind_rows(name, [], stream.upto(None))
        self._flush()

    def _flush(self) -> None:
        for at, what, key, chain, mirror in sorted(self.found, key=lambda f: f[0]):
            if at[2] == ENTRIES and self.report.first_divergent_seq is None:
                self.report.first_divergent_seq = at[3]
            self.report.add(what, key, chain, mirror)
        self.found.clear()
        self.report.rows_checked = self.checked

    def _entries(self, chain: list[Row], mirror: list[Any]) -> None:
        width, fold = len(ENTRY_COLUMNS), self.fold
        for expected, row in pairs(chain, mirror, _first):
            self.checked += 1
            if row is not None and expected is not None:
                fold.add(row, expected)
                mine = tuple(row)
                linked = self.event_at.get(mine[width])
                if mine[:width] != expected or linked != (expected[ENTRY_TX], expected[ENTRY_LOG]):
                    self._entry_differs(expected, mine, linked)
                continue
            source = expected if expected is not None else tuple(row)
            at, key = _entry_at(source)
            if row is None:
                fold.skip()
                self.add(at, "entry", key, "present", "missing")
            else:
                fold.add(row, None)
                self.add(at, "entry", key, "absent", "present")

    def _entry_differs(self, expected: Row, mine: Row, linked: tuple[str, int] | None) -> None:
        at, key = _entry_at(expected)
        for name, want, have in zip(ENTRY_COLUMNS, expected, mine, strict=False):
            if want != have:
                self.add(at, f"entry {name}", key, want, have)
        if linked != (expected[ENTRY_TX], expected[ENTRY_LOG]):
            # The entry's event is in the same block, so among this range's events.
            where = (
                f"tx {linked[0]}, log {linked[1]}"
                if linked
                else f"event {mine[len(ENTRY_COLUMNS)]} elsewhere"
            )
            self.add(at, "entry event_id", key, f"tx {expected[ENTRY_TX]}, log {expected[ENTRY_LOG]}", where)

    def _kind_rows(self, table: str, chain: list[Row], mirror: list[Any]) -> None:
        columns = KIND_COLUMNS[table]
        block_at = columns.index("block_number")
        for expected, row in pairs(chain, mirror, _first):
            self.checked += 1
            source = expected if expected is not None else tuple(row)
            at = (source[block_at], -1, KINDS, source[0])
            key = f"{table} seq {source[0]}"
            if expected is None or row is None:
                present = ("present", "missing") if row is None else ("absent", "present")
                self.add(at, NAMES[table], key, *present)
                continue
            for name, want, have in zip(columns, expected, row, strict=True):
                if want != have:
                    self.add(at, f"{NAMES[table]} {name}", key, want, have)

    def _events(self, chain: list[tuple[Row, dict[str, Any]]], mirror: list[Any]) -> None:
        by_block: dict[int, tuple[list[tuple[Row, dict[str, Any]]], list[Any]]] = {}
        for item in chain:
            by_block.setdefault(item[0][0], ([], []))[0].append(item)
        for row in mirror:
            by_block.setdefault(row.block_number, ([], []))[1].append(row)
            self.event_at[row.id] = (row.tx_hash, row.log_index)
        for block in sorted(by_block):
            ours, theirs = by_block[block]
            for expected, row in _pair_in_block(ours, theirs):
                self.checked += 1
                self._event(block, expected, row)

    def _event(self, block: int, expected: tuple[Row, dict[str, Any]] | None, row: Any) -> None:
        log = expected[0][1] if expected is not None else row.log_index
        tx = row.tx_hash if row is not None else expected[0][5] if expected is not None else ""
        at, key = (block, log, EVENTS, 0), f"events block {block} log {log} (tx {tx})"
        if expected is None or row is None:
            self.add(at, "event", key, *(("present", "missing") if row is None else ("absent", "present")))
            return
        columns, data = expected
        for name, want, have in zip(EVENT_COLUMNS[:-1], columns, row, strict=False):
            if want != have:
                self.add(at, f"event {name}", key, want, have)
        try:
            stored = json.loads(row.data)
        except ValueError:
            stored = None
        if not isinstance(stored, dict):
            self.add(at, "event data", key, json.dumps(data), row.data)
            return
        for name in sorted(data.keys() | stored.keys()):
            if data.get(name) != stored.get(name):
                self.add(at, f"event data.{name}", key, data.get(name), stored.get(name))

    def _blocks(self, chain: dict[int, ChainBlock], mirror: list[Any]) -> None:
        held = {row.number for row in mirror}
        others = sorted(held - chain.keys())
        headers = {n: chain_block(raw) if raw else None for n, raw in self.views.blocks(others).items()}
        known: dict[int, ChainBlock | None] = {**headers, **chain}
        for number in sorted(chain.keys() - held):
            self.add((number, -1, BLOCKS, 0), "block", f"blocks {number}", "present", "missing")
        for row in mirror:
            self.checked += 1
            at, key, block = (row.number, -1, BLOCKS, 0), f"blocks {row.number}", known[row.number]
            if block is None:
                self.add(at, "block", key, "absent", "present")
                continue
            for name, want, have in zip(BLOCK_COLUMNS, (block.number, block.hash, block.parent_hash, block.timestamp), row, strict=True):  # fmt: skip
                if want != have:
                    self.add(at, f"block {name}", key, want, have)


def _first(row: Any) -> Any:
    return row[0]


def _entry_at(entry: Row) -> tuple[Position, str]:
    """Where an entry sits on the chain, and how the report names its row."""
    seq, block, tx, log = entry[0], entry[ENTRY_BLOCK], entry[ENTRY_TX], entry[ENTRY_LOG]
    return (block, log, ENTRIES, seq), f"entries seq {seq} (block {block}, tx {tx}, log {log})"


def _pair_in_block(
    chain: list[tuple[Row, dict[str, Any]]], mirror: list[Any]
) -> Iterator[tuple[tuple[Row, dict[str, Any]] | None, Any]]:
    """A block's events paired by log index; the unpaired ones then in order (a moved log index)."""
    by_log: dict[int, Any] = {}
    left_mirror: list[Any] = []
    for row in mirror:
        if row.log_index in by_log:
            left_mirror.append(row)  # a second row at one location
        else:
            by_log[row.log_index] = row
    left_chain = []
    for item in chain:
        row = by_log.pop(item[0][1], None)
        if row is None:
            left_chain.append(item)
        else:
            yield item, row
    left_mirror = sorted([*by_log.values(), *left_mirror], key=lambda row: row.log_index)
    for i in range(max(len(left_chain), len(left_mirror))):
        yield (
            left_chain[i] if i < len(left_chain) else None,
            left_mirror[i] if i < len(left_mirror) else None,
        )
