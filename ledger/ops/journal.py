"""The send journal: what a writer signed, kept until every transaction of its run is settled.

A run notes each transaction it signs (hash, nonce, account, what it carries) before it goes
out, and clears the journal once every receipt is in. A run that was killed leaves its journal
behind, and the next writer of the same ledger settles it before it plans anything: each
transaction was mined, or is provably gone because its account's nonce moved past it, or is
still pending (then it waits for it). A transaction the node no longer knows whose nonce is
still free is made impossible by using that nonce for an empty transfer. Only then does the
look-up of what landed tell the whole truth.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ledger.chain.client import TRANSPORT_ERRORS
from ledger.chain.sender import Sender
from ledger.errors import NodeError, TransactionError

SETTLE_CHECK = 1.0  # seconds between looks at a pending transaction of an earlier run


@dataclass(frozen=True)
class Signed:
    tx_hash: bytes
    nonce: int
    sender: str
    note: str


class SendJournal:
    """One ledger's journal: a JSON-lines file, each line flushed to disk before the send."""

    def __init__(self, directory: Path, chain_id: int, address: str) -> None:
        self.path = directory / f"{chain_id}-{address.lower()}.jsonl"

    def begin(self, plan: str) -> None:
        self._append({"plan": plan, "at": time.time()})

    def record(self, tx_hash: bytes, nonce: int, sender: str, note: str) -> None:
        self._append({"tx": "0x" + tx_hash.hex(), "nonce": nonce, "from": sender, "note": note})

    def signed(self) -> list[Signed]:
        """The transactions an unfinished run signed (empty when the last run finished)."""
        try:
            lines = self.path.read_text(encoding="utf-8").splitlines()
        except FileNotFoundError:
            return []
        out = []
        for line in lines:
            try:
                item = json.loads(line)
            except ValueError:
                continue  # the last line of a run killed while writing it: that send never went out
            if "tx" in item:
                out.append(
                    Signed(bytes.fromhex(item["tx"][2:]), int(item["nonce"]), item["from"], item["note"])
                )
        return out

    def plans(self) -> list[str]:
        try:
            lines = self.path.read_text(encoding="utf-8").splitlines()
        except FileNotFoundError:
            return []
        return [json.loads(line)["plan"] for line in lines if line.startswith('{"plan"')]

    def clear(self) -> None:
        self.path.unlink(missing_ok=True)

    def _append(self, item: dict[str, Any]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self.path.open("a", encoding="utf-8") as file:
            file.write(json.dumps(item) + "\n")
            file.flush()
            os.fsync(file.fileno())


@dataclass
class Settled:
    mined: int = 0
    reverted: int = 0
    gone: int = 0

    def describe(self) -> str:
        total = self.mined + self.reverted + self.gone
        return (
            f"an earlier run left {total} transaction(s) unsettled: {self.mined} mined, "
            f"{self.reverted} reverted, {self.gone} gone for good"
        )


def settle(journal: SendJournal, sender: Sender, say: Callable[[str], None] | None = None) -> Settled | None:
    """Settles what an unfinished run signed (see the module's doc); None if there was nothing."""
    signed = journal.signed()
    if not signed:
        journal.clear()
        return None
    foreign = {s.sender for s in signed} - {sender.address}
    if foreign:
        raise TransactionError(
            f"an earlier run signed with {', '.join(sorted(foreign))}, not {sender.address}: "
            f"sign with that account once to settle {journal.path}"
        )
    if say is not None:
        say(f"settling {len(signed)} transaction(s) an earlier run sent")
    result = Settled()
    open_ = _settle_known(sender, signed, result)
    if open_:
        _use_up_nonces(sender, open_, result)
    journal.clear()
    return result


def _settle_known(sender: Sender, signed: list[Signed], result: Settled) -> list[Signed]:
    """Counts the mined and the gone, waits for the pending; returns those the node does not know."""
    deadline = time.monotonic() + sender.timeout
    todo = {s.tx_hash: s for s in signed}
    while todo:
        receipts, known, mined_nonce = _look(sender, list(todo))
        for tx_hash, receipt in receipts.items():
            result.mined += receipt["status"] == "0x1"
            result.reverted += receipt["status"] != "0x1"
            del todo[tx_hash]
        for tx_hash in [h for h, s in todo.items() if s.nonce < mined_nonce]:
            result.gone += 1  # its nonce was used by another transaction: it can never be mined
            del todo[tx_hash]
        if not [h for h in todo if h in known]:
            return list(todo.values())
        if time.monotonic() > deadline:
            raise TransactionError(
                f"{len(todo)} transaction(s) of an earlier run are still pending after {sender.timeout:g} s; "
                "nothing was sent: try again once they are mined"
            )
        time.sleep(SETTLE_CHECK)
    return []


def _use_up_nonces(sender: Sender, unknown: list[Signed], result: Settled) -> None:
    """Sends empty transfers at the free nonces up to the last unknown one, so none can be mined."""
    _, _, first = _look(sender, [])
    last = max(s.nonce for s in unknown)
    hashes = [sender.send_at(nonce, sender.address) for nonce in range(first, last + 1)]
    sender.wait(hashes, check=False)
    receipts, _, mined_nonce = _look(sender, [s.tx_hash for s in unknown])
    for s in unknown:
        if s.tx_hash in receipts:  # mined after all, before the empty transfer took its nonce
            result.mined += receipts[s.tx_hash]["status"] == "0x1"
            result.reverted += receipts[s.tx_hash]["status"] != "0x1"
        elif s.nonce < mined_nonce:
            result.gone += 1
        else:
            raise TransactionError(f"cannot settle transaction 0x{s.tx_hash.hex()} of an earlier run")


def _look(sender: Sender, hashes: list[bytes]) -> tuple[dict[bytes, Any], set[bytes], int]:
    """Receipts and known transactions among `hashes`, and the account's mined nonce."""
    calls: list[tuple[str, list[Any]]] = [("eth_getTransactionCount", [sender.address, "latest"])]
    for tx_hash in hashes:
        calls += [("eth_getTransactionReceipt", ["0x" + tx_hash.hex()]),
                  ("eth_getTransactionByHash", ["0x" + tx_hash.hex()])]  # fmt: skip
    try:
        replies = sender.batch_calls(calls)
    except TRANSPORT_ERRORS as exc:
        raise NodeError(f"the node stopped answering: {type(exc).__name__}") from exc
    receipts = {h: replies[1 + 2 * i] for i, h in enumerate(hashes) if replies[1 + 2 * i]}
    known = {h for i, h in enumerate(hashes) if replies[2 + 2 * i]}
    return receipts, known, int(replies[0], 16)
