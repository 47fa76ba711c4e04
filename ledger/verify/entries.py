"""Checking a claimed history entry by entry against transaction receipts and blocks on a node.

Each entry must be a log in its transaction's receipt, at its block, from the ledger contract,
and decode to exactly the claimed fields; the transaction must have been sent by the claimed
sender; its block must be the node's canonical block at that height, with the claimed time; its
claimed hash-chain head must be the event's head, or, inside a batch, fold forward through the
batch's later rows to the event's head. (docs/verification.md, checks 5 to 10.)
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ledger.chain.rpc import Rpc
from ledger.errors import EventDecodeError
from ledger.events import EntryEvent, LedgerEvent, decode_log, entries_of
from ledger.hashchain import ZERO32, fold
from ledger.model import KIND_NAMES
from ledger.verify.apiclient import ClaimedEntry
from ledger.verify.report import Problem
from ledger.verify.settlements import settlement_problems, settlement_token


def _h(value: bytes) -> str:
    return "0x" + value.hex()


def check_listing(
    entries: Sequence[ClaimedEntry], player: bytes, chain_id: int, contract: str, api_block: int
) -> list[Problem]:
    """Problems visible without the node: order, repeats, other players, other chains, later blocks."""
    problems: list[Problem] = []
    last = 0
    for e in entries:
        v = e.verification
        checks = (
            ("listing", e.seq <= last, f"listed out of order or twice (after entry {last})"),
            ("listing", e.player != player, f"belongs to player {_h(e.player)}, not this player"),
            ("listing", v.seq != e.seq, f"its verification bundle names entry {v.seq}"),
            ("listing", v.block_number > api_block, f"claimed at block {v.block_number}, after the API's block {api_block}"),
            ("chain", v.chain_id != chain_id, f"claimed on chain {v.chain_id}, the node is chain {chain_id}"),
            ("contract", v.contract != contract.lower(), f"claimed from contract {v.contract}, not {contract.lower()}"),
        )  # fmt: skip
        problems += [
            Problem(category, f"entry {e.seq}: {why}", e.seq) for category, bad, why in checks if bad
        ]
        last = max(last, e.seq)
    return problems


def fetch(rpc: Rpc, entries: Sequence[ClaimedEntry]) -> tuple[dict[bytes, Any], dict[int, Any]]:
    """The receipts of the entries' transactions and the node's blocks at their heights."""
    txs = sorted({e.verification.tx_hash for e in entries})
    numbers = sorted({e.verification.block_number for e in entries})
    answers = rpc.batch_many(
        [("eth_getTransactionReceipt", [_h(t)]) for t in txs]
        + [("eth_getBlockByNumber", [hex(n), False]) for n in numbers]
    )
    return dict(zip(txs, answers[: len(txs)], strict=True)), dict(
        zip(numbers, answers[len(txs) :], strict=True)
    )


def _located_event(entry: ClaimedEntry, receipt: Any, contract: str) -> tuple[LedgerEvent | None, str | None]:
    """The ledger event at the entry's claimed location, or why there is none."""
    v = entry.verification
    tx = _h(v.tx_hash)
    if not isinstance(receipt, dict):
        return None, f"transaction {tx} does not exist on the node"
    number = int(receipt.get("blockNumber") or "0x0", 16)
    if number != v.block_number or str(receipt.get("blockHash")).lower() != _h(v.block_hash):
        return None, f"transaction {tx} is in block {number}, not block {v.block_number} {_h(v.block_hash)}"
    if receipt.get("status") != "0x1":
        return None, f"transaction {tx} failed on chain"
    logs = [log for log in receipt.get("logs") or [] if int(log.get("logIndex", "-0x1"), 16) == v.log_index]
    if not logs:
        return None, f"transaction {tx} has no log with index {v.log_index}"
    if str(logs[0].get("address", "")).lower() != contract.lower():
        return None, f"log {v.log_index} of transaction {tx} is from {logs[0].get('address')}, not the ledger"
    try:
        return decode_log(logs[0]), None
    except EventDecodeError as exc:
        return None, f"log {v.log_index} of transaction {tx} is not a ledger event: {exc}"


def _field_problems(entry: ClaimedEntry, found: EntryEvent, event: LedgerEvent) -> list[Problem]:
    e, f, v = entry, found.entry, entry.verification
    batch, reversal = event.name == "BatchIssued", event.name == "RewardReversed"
    claimed = {"event": v.event, "kind": e.kind, "player": _h(e.player), "campaign": _h(e.campaign_id or ZERO32),
               "amount": str(e.amount), "ref": _h(e.ref), "aux": _h(e.aux), "batch row": str(v.batch_index),
               "batch id": _h(e.batch_id) if e.batch_id else "none",
               "reversed entry": str(e.reward_seq) if reversal else "none"}  # fmt: skip
    actual = {"event": event.name, "kind": KIND_NAMES[f.kind], "player": _h(f.player), "campaign": _h(f.campaign_id),
              "amount": str(f.amount), "ref": _h(f.ref), "aux": _h(f.aux),
              "batch row": str(found.batch_index if batch else None),
              "batch id": _h(found.batch_id) if batch else "none",
              "reversed entry": str(found.reward_seq) if reversal else "none"}  # fmt: skip
    return [
        Problem(
            "fields",
            f"entry {e.seq}: {name} is {claimed[name]} in the API but {actual[name]} on chain",
            e.seq,
        )
        for name in claimed
        if claimed[name] != actual[name]
    ]


Located = tuple[LedgerEvent, list[EntryEvent], dict[str, Any]] | str
LocationKey = tuple[bytes, int, int, bytes]


def _locate_all(
    entries: Sequence[ClaimedEntry], receipts: dict[bytes, Any], contract: str
) -> dict[LocationKey, Located]:
    """Each claimed location decoded once (a batch's rows share one large log)."""
    located: dict[LocationKey, Located] = {}
    for entry in entries:
        v = entry.verification
        key = (v.tx_hash, v.log_index, v.block_number, v.block_hash)
        if key not in located:
            receipt: Any = receipts.get(v.tx_hash)
            event, why = _located_event(entry, receipt, contract)
            located[key] = (event, entries_of(event), receipt) if event is not None else str(why)
    return located


def _block_problems(entry: ClaimedEntry, block: Any) -> list[Problem]:
    v, seq = entry.verification, entry.seq
    if not isinstance(block, dict):
        return [Problem("block", f"entry {seq}: the node has no block {v.block_number}", seq)]
    if str(block.get("hash")).lower() != _h(v.block_hash):
        return [Problem("block", f"entry {seq}: block {v.block_number} {_h(v.block_hash)} is not canonical on the node", seq)]  # fmt: skip
    timestamp = int(block["timestamp"], 16)
    if timestamp != entry.block_time:
        return [Problem("time", f"entry {seq}: time is {entry.block_time} in the API but block {v.block_number}'s time is {timestamp}", seq)]  # fmt: skip
    return []


def check_entries(rpc: Rpc, entries: Sequence[ClaimedEntry], contract: str) -> list[Problem]:
    """Problems with each entry's block, time, log, sender, fields and head, as the node records them."""
    receipts, blocks = fetch(rpc, entries)
    located = _locate_all(entries, receipts, contract)
    problems: list[Problem] = []
    batches: dict[tuple[bytes, int], tuple[list[EntryEvent], list[ClaimedEntry]]] = {}
    token = ""
    for entry in entries:
        v, seq = entry.verification, entry.seq
        problems += _block_problems(entry, blocks.get(v.block_number))
        found_at = located[(v.tx_hash, v.log_index, v.block_number, v.block_hash)]
        if isinstance(found_at, str):
            problems.append(Problem("location", f"entry {seq}: {found_at}", seq))
            continue
        event, rows, receipt = found_at
        index = seq - rows[0].entry.seq if rows else -1
        if not 0 <= index < len(rows):
            problems.append(Problem("location", f"entry {seq}: the {event.name} event at that location does not record entry {seq}", seq))  # fmt: skip
            continue
        sender = str(receipt.get("from", "")).lower()
        if sender != entry.sender:
            problems.append(Problem("sender", f"entry {seq}: sender is {entry.sender} in the API but the transaction was sent by {sender}", seq))  # fmt: skip
        found = rows[index]
        problems += _field_problems(entry, found, event)
        if event.name == "PayoutRecorded":  # a payout settled in tokens must show the transfer
            token = token or settlement_token(rpc, contract)
            problems += settlement_problems(seq, receipt, contract, token)
        if found.head is None:
            batches.setdefault((v.tx_hash, v.log_index), (rows, []))[1].append(entry)
        elif found.head != v.head:
            problems.append(Problem("head", f"entry {seq}: head is {_h(v.head)} in the API but {_h(found.head)} on chain", seq))  # fmt: skip
    for rows, members in batches.values():
        problems += _batch_head_problems(rows, members)
    return problems


def _batch_head_problems(rows: list[EntryEvent], members: list[ClaimedEntry]) -> list[Problem]:
    """Inside a batch only the last row's head is on chain: each claimed head must fold forward
    through the later rows to a head already proven (the event's, or a later row's)."""
    first_seq = rows[0].entry.seq
    target_seq, target_head = rows[-1].entry.seq, rows[-1].head
    problems: list[Problem] = []
    for member in sorted(members, key=lambda m: -m.seq):
        head = member.verification.head
        for row in rows[member.seq - first_seq + 1 : target_seq - first_seq + 1]:
            head = fold(head, row.entry)
        if head == target_head:
            target_seq, target_head = member.seq, member.verification.head
        else:
            problems.append(Problem("head", f"entry {member.seq}: head {_h(member.verification.head)} does not fold to the batch's head on chain", member.seq))  # fmt: skip
    return problems
