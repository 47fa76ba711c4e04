"""Checking a claimed history entry by entry against transaction receipts on a node.

Each entry must be a log in its transaction's receipt, at its block, from the ledger contract,
and decode to exactly the claimed fields; its block must be the node's canonical block at that
height; its claimed hash-chain head must be the event's head, or, inside a batch, fold forward
through the batch's later rows to the event's head.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ledger.chain.rpc import Rpc
from ledger.errors import EventDecodeError
from ledger.events import EntryEvent, LedgerEvent, decode_log, entries_of
from ledger.hashchain import ZERO32, fold
from ledger.model import BY_NAME, KIND_NAMES, sums_by_kind
from ledger.verify.apiclient import ClaimedEntry


def _h(value: bytes) -> str:
    return "0x" + value.hex()


def check_listing(
    entries: Sequence[ClaimedEntry], player: bytes, chain_id: int, contract: str, block: int
) -> list[str]:
    """Problems visible without the node: order, duplicates, other players, other chains, later blocks."""
    problems: list[str] = []
    last = 0
    for e in entries:
        where = f"entry {e.seq}"
        if e.seq <= last:
            problems.append(f"{where}: listed out of order or twice (after entry {last})")
        last = max(last, e.seq)
        if e.player != player:
            problems.append(f"{where}: belongs to player {_h(e.player)}, not this player")
        v = e.verification
        if v.seq != e.seq:
            problems.append(f"{where}: its verification bundle names entry {v.seq}")
        if v.chain_id != chain_id:
            problems.append(f"{where}: claimed on chain {v.chain_id}, the node is chain {chain_id}")
        if v.contract.lower() != contract.lower():
            problems.append(f"{where}: claimed from contract {v.contract}, not {contract}")
        if v.block_number > block:
            problems.append(f"{where}: claimed at block {v.block_number}, after the balance's block {block}")
    return problems


def fetch(rpc: Rpc, entries: Sequence[ClaimedEntry]) -> tuple[dict[bytes, Any], dict[int, Any]]:
    """The receipts of the entries' transactions and the node's blocks at their heights."""
    txs = sorted({e.verification.tx_hash for e in entries})
    numbers = sorted({e.verification.block_number for e in entries})
    receipts = rpc.batch([("eth_getTransactionReceipt", [_h(t)]) for t in txs])
    blocks = rpc.batch([("eth_getBlockByNumber", [hex(n), False]) for n in numbers])
    return dict(zip(txs, receipts, strict=True)), dict(zip(numbers, blocks, strict=True))


def _located_event(entry: ClaimedEntry, receipt: Any, contract: str) -> tuple[LedgerEvent | None, str | None]:
    """The ledger event at the entry's claimed location, or why there is none."""
    v = entry.verification
    if not isinstance(receipt, dict):
        return None, f"transaction {_h(v.tx_hash)} does not exist on the node"
    if int(receipt.get("blockNumber", "0x0"), 16) != v.block_number or receipt.get("blockHash") != _h(
        v.block_hash
    ):
        return (
            None,
            f"transaction {_h(v.tx_hash)} is in block {int(receipt.get('blockNumber', '0x0'), 16)}, not block {v.block_number} {_h(v.block_hash)}",
        )
    if receipt.get("status") != "0x1":
        return None, f"transaction {_h(v.tx_hash)} failed on chain"
    logs = [log for log in receipt.get("logs", []) if int(log.get("logIndex", "-0x1"), 16) == v.log_index]
    if not logs:
        return None, f"transaction {_h(v.tx_hash)} has no log with index {v.log_index}"
    log = logs[0]
    if str(log.get("address", "")).lower() != contract.lower():
        return (
            None,
            f"log {v.log_index} of transaction {_h(v.tx_hash)} is from {log.get('address')}, not the ledger",
        )
    try:
        return decode_log(log), None
    except EventDecodeError as exc:
        return None, f"log {v.log_index} of transaction {_h(v.tx_hash)} is not a ledger event: {exc}"


def _field_problems(entry: ClaimedEntry, found: EntryEvent, event: LedgerEvent) -> list[str]:
    e, f = entry, found.entry
    claimed = {"kind": e.kind, "player": _h(e.player), "campaign": _h(e.campaign_id or ZERO32),
               "amount": str(e.amount), "ref": _h(e.ref), "aux": _h(e.aux), "event": e.verification.event}  # fmt: skip
    actual = {"kind": KIND_NAMES[f.kind], "player": _h(f.player), "campaign": _h(f.campaign_id),
              "amount": str(f.amount), "ref": _h(f.ref), "aux": _h(f.aux), "event": event.name}  # fmt: skip
    if event.name == "BatchIssued":
        claimed["batch row"] = str(e.verification.batch_index)
        actual["batch row"] = str(found.batch_index)
    return [
        f"entry {e.seq}: {name} is {claimed[name]} in the API but {actual[name]} on chain"
        for name in claimed
        if claimed[name] != actual[name]
    ]


Located = tuple[LedgerEvent, list[EntryEvent]] | str


def _locate_all(
    entries: Sequence[ClaimedEntry], receipts: dict[bytes, Any], contract: str
) -> dict[tuple[bytes, int, int, bytes], Located]:
    """Each claimed location decoded once (a batch's rows share one large log)."""
    located: dict[tuple[bytes, int, int, bytes], Located] = {}
    for entry in entries:
        v = entry.verification
        key = (v.tx_hash, v.log_index, v.block_number, v.block_hash)
        if key not in located:
            event, why = _located_event(entry, receipts.get(v.tx_hash), contract)
            located[key] = (event, entries_of(event)) if event is not None else str(why)
    return located


def check_entries(rpc: Rpc, entries: Sequence[ClaimedEntry], contract: str) -> list[str]:
    """Problems with each entry's log, fields, block and head, as the node records them."""
    receipts, blocks = fetch(rpc, entries)
    located = _locate_all(entries, receipts, contract)
    problems: list[str] = []
    batches: dict[tuple[bytes, int], tuple[list[EntryEvent], list[ClaimedEntry]]] = {}
    for entry in entries:
        v = entry.verification
        block = blocks.get(v.block_number)
        if not isinstance(block, dict) or block.get("hash") != _h(v.block_hash):
            problems.append(
                f"entry {entry.seq}: block {v.block_number} {_h(v.block_hash)} is not canonical on the node"
            )
        found_at = located[(v.tx_hash, v.log_index, v.block_number, v.block_hash)]
        if isinstance(found_at, str):
            problems.append(f"entry {entry.seq}: {found_at}")
            continue
        event, rows = found_at
        index = entry.seq - rows[0].entry.seq if rows else -1
        if not 0 <= index < len(rows):
            problems.append(
                f"entry {entry.seq}: the {event.name} event at that location does not record entry {entry.seq}"
            )
            continue
        found = rows[index]
        problems.extend(_field_problems(entry, found, event))
        if found.head is None:
            batches.setdefault((v.tx_hash, v.log_index), (rows, []))[1].append(entry)
        elif found.head != v.head:
            problems.append(
                f"entry {entry.seq}: head is {_h(v.head)} in the API but {_h(found.head)} on chain"
            )
    for rows, members in batches.values():
        problems.extend(_batch_head_problems(rows, members))
    return problems


def _batch_head_problems(rows: list[EntryEvent], members: list[ClaimedEntry]) -> list[str]:
    """Inside a batch only the last row's head is on chain: each claimed head must fold forward
    through the later rows to a head already proven (the event's, or a later row's)."""
    first_seq = rows[0].entry.seq
    target_seq, target_head = rows[-1].entry.seq, rows[-1].head
    problems: list[str] = []
    for member in sorted(members, key=lambda m: -m.seq):
        head = member.verification.head
        for row in rows[member.seq - first_seq + 1 : target_seq - first_seq + 1]:
            head = fold(head, row.entry)
        if head == target_head:
            target_seq, target_head = member.seq, member.verification.head
        else:
            problems.append(
                f"entry {member.seq}: head {_h(member.verification.head)} does not fold to the batch's head on chain"
            )
    return problems


def grouped_by_kind(entries: Sequence[ClaimedEntry]) -> dict[str, int]:
    """The sum of the claimed amounts by kind (an unknown kind is a problem `_field_problems` names)."""
    return sums_by_kind((e.kind, e.amount) for e in entries if e.kind in BY_NAME)
