"""Extract: the ledger's raw logs and the blocks they sit in, over adaptive block ranges.

A range is read as: the range's edge blocks (parent link, tip hash), `eth_getLogs`, then the
blocks holding logs (times, senders) and the tip again. Logs whose block hash does not match the
headers read after them, or a tip that changed, mean the chain moved mid-read: the range is read
again rather than mixed from two forks.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sha3 import keccak_256

from ledger.chain.rpc import Retry, Rpc
from ledger.errors import ConfigError, InputError, RangeTooLarge, RpcError, TransportError

log = logging.getLogger("ledger.indexer")
BATCH = 50  # block requests per JSON-RPC batch
CHAIN_STATE = "0x" + keccak_256(b"chainState()").hexdigest()[:8]  # returns (entryCount, head)
_ADDRESS = re.compile(r"^0x[0-9a-fA-F]{40}\Z")


def check_code(rpc: Rpc, address: str, chain_id: int) -> None:
    """Raises unless `address` holds exactly this project's RewardsLedger runtime code."""
    from ledger.artifact import load_artifact

    if not _ADDRESS.match(address):
        raise InputError(f"{address[:60]!r} is not an address")
    code = str(rpc.call("eth_getCode", [address, "latest"]) or "0x")
    if code in ("0x", ""):
        raise ConfigError(f"no contract at {address} on chain {chain_id}")
    if code.lower().removeprefix("0x") != load_artifact().deployed_bytecode.lower().removeprefix("0x"):
        raise ConfigError(f"the code at {address} is not this project's RewardsLedger")


class ChainMoved(Exception):
    """The chain changed while a range was being read; the range is read again (not an error)."""


@dataclass(frozen=True)
class Block:
    number: int
    hash: str
    parent_hash: str
    timestamp: int
    senders: dict[str, str] = field(default_factory=dict)  # tx hash -> from (full blocks only)


@dataclass(frozen=True)
class RangeData:
    start: int
    end: int
    logs: list[dict[str, Any]]
    blocks: dict[int, Block]  # the blocks holding logs, and the tip
    tip: Block
    head: Block  # the chain head when the range was read


def block_of(raw: dict[str, Any]) -> Block:
    senders = {
        tx["hash"].lower(): tx["from"].lower() for tx in raw.get("transactions", []) if isinstance(tx, dict)
    }
    return Block(
        int(raw["number"], 16),
        raw["hash"].lower(),
        raw["parentHash"].lower(),
        int(raw["timestamp"], 16),
        senders,
    )


@dataclass
class RangeSizer:
    """Grows the block range while answers are small and fast; halves it when the node refuses.

    Size is measured in log data (hex characters) as well as logs: one batch event can carry
    thousands of entries.
    """

    size: int = 2_000
    minimum: int = 1
    maximum: int = 100_000
    target_seconds: float = 1.0
    target_logs: int = 2_000
    target_data: int = 1_000_000  # hex characters of log data, about 7,800 batch rows

    def shrink(self) -> bool:
        """Halves the range; False when it cannot shrink further."""
        if self.size <= self.minimum:
            return False
        self.size = max(self.minimum, self.size // 2)
        return True

    def observe(self, seconds: float, logs: int, data: int, blocks: int) -> None:
        """Adjusts the size after a range of `blocks` answered `logs` with `data` in `seconds`."""
        small = data < self.target_data // 2 and logs < self.target_logs // 2
        if data > self.target_data * 2:
            self.size = max(self.minimum, min(self.size, blocks))  # it was cut to what fits
        elif seconds > self.target_seconds * 2 or logs > self.target_logs * 2:
            self.size = max(self.minimum, self.size // 2)
        elif small and seconds < self.target_seconds / 2:
            self.size = min(self.maximum, max(self.size, blocks) * 2)


def trim(logs: list[dict[str, Any]], budget: int) -> tuple[list[dict[str, Any]], int | None]:
    """The logs of the first blocks whose data fits in `budget` (at least one block's), and the
    last block kept; None when everything fits. Cutting only at block boundaries keeps ranges whole."""
    used = 0
    for i, entry in enumerate(logs):
        used += len(entry.get("data", ""))
        if used > budget and i > 0:
            last = int(logs[i - 1]["blockNumber"], 16)
            if int(entry["blockNumber"], 16) != last:
                return logs[:i], last
    return logs, None


class Extractor:
    """Reads the ledger contract's logs and blocks from one node, with retries."""

    def __init__(self, rpc: Rpc, contract: str, backoff: Retry, sizer: RangeSizer | None = None) -> None:
        self.rpc = rpc
        self.contract = contract.lower()
        self.backoff = backoff
        self.sizer = sizer or RangeSizer()
        self._finality_tag: str | None = "finalized"

    def call(self, method: str, *params: Any) -> Any:
        return self.backoff.run(lambda: self.rpc.call(method, params))

    def head_number(self) -> int:
        return int(self.call("eth_blockNumber"), 16)

    def entry_count(self, block: int) -> int | None:
        """The ledger's entry count at `block` (its `chainState()`), None if the node cannot say."""
        try:
            answer = self.call("eth_call", {"to": self.contract, "data": CHAIN_STATE}, hex(block))
        except RpcError:
            return None
        text = str(answer or "")
        return int(text[2:66], 16) if len(text) >= 130 else None

    def blocks(self, numbers: Sequence[int], full: bool = False) -> dict[int, Block | None]:
        """Blocks by number (None for a number the chain does not have), in JSON-RPC batches."""
        found: dict[int, Block | None] = {}
        for i in range(0, len(numbers), BATCH):
            chunk = numbers[i : i + BATCH]
            calls = [("eth_getBlockByNumber", (hex(n), full)) for n in chunk]
            answers = self.backoff.run(lambda calls=calls: self.rpc.batch(calls))  # type: ignore[misc]
            for number, raw in zip(chunk, answers, strict=True):
                found[number] = block_of(raw) if raw else None
        return found

    def finalized(self, head: int, confirmations: int) -> int:
        """The node's finalized block (else safe), or `head - confirmations` on nodes without tags."""
        while self._finality_tag is not None:
            try:
                raw = self.call("eth_getBlockByNumber", self._finality_tag, False)
            except RpcError:
                raw = None
            if raw:
                return int(raw["number"], 16)
            self._finality_tag = "safe" if self._finality_tag == "finalized" else None
            log.info("the node has no usable block tag; finality is %d confirmations", confirmations)
        return max(head - confirmations, -1)

    def deployment_block(self) -> int:
        """The block that deployed the contract, by bisecting on its code (needs the node's history)."""
        low, high = 0, self.head_number()
        if not _has_code(self, high):
            raise ConfigError(f"there is no contract at {self.contract} on this chain")
        while low < high:
            middle = (low + high) // 2
            if _has_code(self, middle):
                high = middle
            else:
                low = middle + 1
        return low

    def logs(self, start: int, end: int) -> list[dict[str, Any]]:
        query = {"address": self.contract, "fromBlock": hex(start), "toBlock": hex(end)}
        # A timeout usually means the range is too heavy: let the caller split it first.
        splittable = self.sizer.size > self.sizer.minimum
        result = self.backoff.run(
            lambda: self.rpc.call("eth_getLogs", [query]), retry_timeouts=not splittable
        )
        return list(result or [])

    def read_range(
        self, start: int, limit: int, parent_hash: str | None, budget: int | None = None
    ) -> RangeData:
        """Reads from `start` to at most `limit`, shrinking the range while the node refuses it.
        A range whose log data (hex characters) passes `budget` (default twice the sizer's
        target) is cut at a block boundary.

        Raises `ChainMoved` when the parent of `start` is no longer `parent_hash` or the chain
        changed during the read.
        """
        while True:
            end = min(limit, start + self.sizer.size - 1)
            try:
                return self._read(start, end, parent_hash, budget or self.sizer.target_data * 2)
            except (RangeTooLarge, TransportError) as exc:
                if isinstance(exc, TransportError) and not exc.timeout:
                    raise
                if not self.sizer.shrink():
                    raise
                log.info(
                    "the node refused blocks %d-%d (%s); trying %d blocks", start, end, exc, self.sizer.size
                )

    def _read(self, start: int, end: int, parent_hash: str | None, budget: int) -> RangeData:
        head_number = self.head_number()
        edges = self.blocks(sorted({start, end, head_number}))
        first, tip, head = edges[start], edges[end], edges[head_number]
        if first is None or tip is None or head is None:
            raise ChainMoved(f"blocks {start}-{end} are not on the chain any more")
        if parent_hash is not None and first.parent_hash != parent_hash:
            raise ChainMoved(f"block {start}'s parent is no longer {parent_hash}")
        began = time.monotonic()
        raw_logs = self.logs(start, end)
        removed = [entry for entry in raw_logs if entry.get("removed")]
        if removed:
            log.info("ignored %d log(s) marked removed in blocks %d-%d", len(removed), start, end)
        logs = [entry for entry in raw_logs if not entry.get("removed")]
        # A range far heavier than wanted is cut at a block boundary: its head is written now, the
        # rest is read again next time with a range sized to fit.
        data = sum(len(entry.get("data", "")) for entry in logs)
        logs, cut = trim(logs, budget)
        last = cut if cut is not None else end
        self.sizer.observe(time.monotonic() - began, len(logs), data, last - start + 1)
        numbers = sorted({int(entry["blockNumber"], 16) for entry in logs} | {last, end})
        blocks = _checked(self.blocks(numbers, full=True), logs, tip)
        kept = {number: block for number, block in blocks.items() if number <= last}
        return RangeData(start, last, logs, kept, blocks[last], head)


def _checked(blocks: dict[int, Block | None], logs: list[dict[str, Any]], tip: Block) -> dict[int, Block]:
    """The blocks, after checking that every log and the tip belong to one chain."""
    found: dict[int, Block] = {}
    for number, block in blocks.items():
        if block is None:
            raise ChainMoved(f"block {number} disappeared")
        found[number] = block
    if found[tip.number].hash != tip.hash:
        raise ChainMoved(f"block {tip.number} changed while its range was read")
    for entry in logs:
        block = found[int(entry["blockNumber"], 16)]
        if entry["blockHash"].lower() != block.hash:
            raise ChainMoved(f"a log of block {block.number} belongs to another fork")
    return found


def _has_code(extractor: Extractor, block: int) -> bool:
    code = extractor.call("eth_getCode", extractor.contract, hex(block))
    return bool(code) and code != "0x"
