"""Signs locally and sends EIP-1559 transactions, many in flight, and waits for their receipts.

Nonces are counted locally (from the node's pending count) so that a batch run keeps dozens of
transactions in flight; every transaction is estimated first, so a revert is reported, decoded,
before anything is sent.

Another process may sign with the same key (an operator command beside the demo, two
terminals). When the node says a nonce is taken ("nonce too low", "replacement transaction
underpriced"), the sender re-reads the pending nonce and signs the same call again; when a
transaction it waits for vanishes from the node, or its nonce is used by another transaction,
it signs the same call again with a fresh nonce. Each call is one logical send whatever the
number of signatures: at most one of them can land (a nonce is used once, and the ledger's
references and batch ids are used once), and `wait` answers with the one that did.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from eth_account.signers.local import LocalAccount
from eth_utils.crypto import keccak
from web3 import Web3
from web3.exceptions import ContractLogicError, Web3Exception, Web3RPCError

from ledger.chain.client import TRANSPORT_ERRORS
from ledger.chain.reverts import decode_revert, revert_data_from
from ledger.errors import NodeError, TransactionError

# How nodes say that the nonce a transaction carries is no longer free (geth, anvil, erigon...).
_NONCE_TAKEN = ("nonce too low", "replacement transaction underpriced", "already used", "nonce too high")
_SAME_TX = ("already known", "already imported")
MAX_RESIGNS = 20
SLOW_WAIT = 1.0  # seconds after which a wait says what it waits for
CHECK_EVERY = 2.0  # seconds between checks that the awaited transactions are still on their way
NODE_GRACE = 15.0  # seconds the node may fail to answer before a wait gives up


@dataclass(frozen=True)
class Receipt:
    tx_hash: bytes
    block_number: int
    block_hash: bytes
    status: int
    gas_used: int
    logs: list[dict[str, Any]]
    contract_address: str | None = None


class Journal(Protocol):
    """Where a sender notes each signed transaction before it goes out (see `ledger.ops.journal`)."""

    def record(self, tx_hash: bytes, nonce: int, sender: str, note: str) -> None: ...


@dataclass
class _Send:
    """One logical transaction: its fields and every signature sent for it, newest last."""

    fields: dict[str, Any]
    note: str
    nonce: int
    hashes: list[bytes] = field(default_factory=list)

    @property
    def current(self) -> bytes:
        return self.hashes[-1]


class Sender:
    """One signing account on one node."""

    def __init__(
        self,
        w3: Web3,
        account: LocalAccount,
        *,
        timeout: float = 120.0,
        gas_headroom: float = 1.2,
        poll_interval: float = 0.05,
        journal: Journal | None = None,
        on_wait: Callable[[str], None] | None = None,
    ) -> None:
        self.w3 = w3
        self.account = account
        self.address = account.address
        self.chain_id = int(w3.eth.chain_id)
        self.timeout = timeout
        self.gas_headroom = gas_headroom
        self.poll_interval = poll_interval
        self.journal = journal
        self.on_wait = on_wait  # told once when a wait takes over a second, and why
        self._nonce: int | None = None
        self._fees: tuple[float, int, int] | None = None
        self._sends: dict[bytes, _Send] = {}

    # ------------------------------------------------------------ preparing

    def estimate(self, to: str, data: bytes) -> int:
        """Gas for the call with headroom; a revert raises the decoded `ContractRevert`."""
        try:
            gas = self.w3.eth.estimate_gas({"from": self.address, "to": to, "data": data})
        except ContractLogicError as exc:
            raise decode_revert(revert_data_from(exc)) from None
        except Web3RPCError as exc:
            data_bytes = revert_data_from(exc)
            if data_bytes is not None or "revert" in str(exc).lower():
                raise decode_revert(data_bytes) from None
            raise NodeError(f"the node refused to estimate gas: {_rpc_message(exc)}") from exc
        except TRANSPORT_ERRORS as exc:
            raise NodeError(f"the node stopped answering: {type(exc).__name__}") from exc
        return int(gas * self.gas_headroom) + 10_000

    def fees(self) -> tuple[int, int]:
        """(maxFeePerGas, maxPriorityFeePerGas): twice the base fee plus the tip, cached 2 s."""
        now = time.monotonic()
        if self._fees is None or now - self._fees[0] > 2.0:
            block = self._rpc(lambda: self.w3.eth.get_block("latest"))
            tip = int(self._rpc(lambda: self.w3.eth.max_priority_fee))
            base = int(block.get("baseFeePerGas", 0) or 0)
            self._fees = (now, 2 * base + tip, tip)
        return self._fees[1], self._fees[2]

    def balance(self) -> int:
        return int(self._rpc(lambda: self.w3.eth.get_balance(self.address)))

    # ------------------------------------------------------------ sending

    def send(self, to: str, data: bytes, gas: int, note: str = "") -> bytes:
        """Signs and sends one transaction with the next free nonce; returns its (first) hash."""
        return self._start({"to": to, "data": data, "gas": gas}, note)

    def send_create(self, data: bytes, gas: int, note: str = "deploy") -> bytes:
        """Sends a contract-creation transaction."""
        return self._start({"data": data, "gas": gas}, note)

    def send_at(self, nonce: int, to: str, gas: int = 21_000, note: str = "cancel") -> bytes:
        """Sends an empty transfer at an explicit `nonce` (to use up a nonce); returns its hash."""
        fields = {"to": to, "data": b"", "gas": gas}
        send = _Send(fields, note, nonce)
        tx_hash = self._sign_and_send(send, nonce)
        if tx_hash is None:
            raise TransactionError(f"nonce {nonce} of {self.address} was used meanwhile")
        send.hashes.append(tx_hash)
        self._sends[tx_hash] = send
        return tx_hash

    def _start(self, fields: dict[str, Any], note: str) -> bytes:
        send = _Send(fields, note, -1)
        self._broadcast(send)
        self._sends[send.hashes[0]] = send
        return send.hashes[0]

    def _broadcast(self, send: _Send) -> None:
        """Signs `send` with the next free nonce and sends it, signing again while nonces are taken."""
        for attempt in range(MAX_RESIGNS):
            if self._nonce is None:
                self._nonce = int(
                    self._rpc(lambda: self.w3.eth.get_transaction_count(self.address, "pending"))
                )
            tx_hash = self._sign_and_send(send, self._nonce)
            if tx_hash is not None:
                send.nonce = self._nonce
                send.hashes.append(tx_hash)
                self._nonce += 1
                return
            self._nonce = None  # another process took it: ask the node again
            time.sleep(min(0.05 * 2**attempt, 1.0))
        raise TransactionError(
            f"account {self.address} kept losing its nonce to another sender ({MAX_RESIGNS} tries)"
        )

    def _sign_and_send(self, send: _Send, nonce: int) -> bytes | None:
        """Sends `send` at `nonce`: its hash, or None when the nonce is taken."""
        max_fee, tip = self.fees()
        tx = {"type": 2, "chainId": self.chain_id, "nonce": nonce, "value": 0,
              "maxFeePerGas": max_fee, "maxPriorityFeePerGas": tip, **send.fields}  # fmt: skip
        raw = bytes(self.account.sign_transaction(tx).raw_transaction)
        tx_hash = keccak(raw)
        if self.journal is not None:
            self.journal.record(tx_hash, nonce, self.address, send.note)
        try:
            self.w3.eth.send_raw_transaction(raw)
        except Web3RPCError as exc:
            message = _rpc_message(exc).lower()
            if any(words in message for words in _SAME_TX):
                return tx_hash
            if any(words in message for words in _NONCE_TAKEN):
                return None
            self._nonce = None
            if "insufficient funds" in message:
                raise TransactionError(f"account {self.address} cannot pay for gas: fund it first") from exc
            raise TransactionError(f"the node rejected the transaction: {_rpc_message(exc)}") from exc
        except TRANSPORT_ERRORS as exc:
            self._nonce = None
            raise NodeError(
                f"the node stopped answering while sending 0x{tx_hash.hex()}; it may still land: "
                "re-running is safe"
            ) from exc
        return tx_hash

    # ------------------------------------------------------------ waiting

    def wait(self, hashes: Sequence[bytes], check: bool = True) -> list[Receipt]:
        """The receipt of each transaction (of whichever of its signatures landed), in order.

        Raises if one is not mined within the timeout, if the node stops answering, or (with
        `check`) if one reverted.
        """
        sends = {h: self._sends.get(h) or _Send({}, "", -1, [h]) for h in hashes}
        found: dict[bytes, Receipt] = {}
        started = last_answer = last_check = time.monotonic()
        deadline = started + self.timeout
        told = False
        while len(found) < len(sends):
            pending = {h: s for h, s in sends.items() if h not in found}
            receipts = self._poll([x for s in pending.values() for x in s.hashes])
            now = time.monotonic()
            if receipts is None:
                if now - last_answer > min(NODE_GRACE, self.timeout):
                    raise NodeError(
                        f"the node stopped answering while {len(pending)} transaction(s) were on their way "
                        f"(first 0x{next(iter(pending)).hex()}); they may still land: re-running is safe"
                    )
            else:
                last_answer = now
                for first, send in pending.items():
                    hit = next((receipts[x] for x in send.hashes if x in receipts), None)
                    if hit is not None:
                        found[first] = hit
                if len(found) == len(sends):
                    break
                if now - last_check > CHECK_EVERY:
                    last_check = now
                    if self._resend_lost([s for f, s in pending.items() if f not in found]):
                        deadline = now + self.timeout
            if now > deadline:
                first = next(h for h in sends if h not in found)
                raise TransactionError(
                    f"{len(sends) - len(found)} transaction(s) not mined after {self.timeout:g} s "
                    f"(first 0x{sends[first].current.hex()}); they may still land: re-running is safe"
                )
            if not told and now - started > SLOW_WAIT and self.on_wait is not None:
                told = True
                first = next(h for h in sends if h not in found)
                count = len(sends) - len(found)
                what = (
                    f"the transaction 0x{sends[first].current.hex()}"
                    if count == 1
                    else f"{count} transactions"
                )
                self.on_wait(f"waiting for {what} to be mined")
            time.sleep(self.poll_interval)
        receipts_ = [found[h] for h in hashes]
        for send in sends.values():
            for tx_hash in send.hashes:
                self._sends.pop(tx_hash, None)
        if check:
            for receipt in receipts_:
                if receipt.status != 1:
                    raise TransactionError(
                        f"transaction 0x{receipt.tx_hash.hex()} reverted in block {receipt.block_number}"
                    )
        return receipts_

    def transact(self, to: str, data: bytes, note: str = "") -> Receipt:
        """Estimate, send and wait: one transaction, end to end."""
        return self.wait([self.send(to, data, self.estimate(to, data), note)])[0]

    def _resend_lost(self, sends: list[_Send]) -> bool:
        """Signs again each awaited call whose transaction the node forgot or whose nonce another
        transaction used; True if any was sent again."""
        ours = [s for s in sends if s.fields]  # only calls this sender signed can be signed again
        if not ours:
            return False
        try:
            mined = int(self.w3.eth.get_transaction_count(self.address, "latest"))
            known = self.batch_calls([("eth_getTransactionByHash", ["0x" + s.current.hex()]) for s in ours])
        except TRANSPORT_ERRORS:
            return False
        lost = [s for s, tx in zip(ours, known, strict=True) if tx is None or (s.nonce < mined)]
        if not lost:
            return False
        # a receipt may have arrived since the poll: only calls with no landed signature go again
        receipts = self._poll([x for s in lost for x in s.hashes]) or {}
        lost = [s for s in lost if not any(x in receipts for x in s.hashes)]
        for send in lost:
            self._nonce = None
            self._broadcast(send)
            self._sends[send.current] = send
        return bool(lost)

    def _poll(self, hashes: list[bytes]) -> dict[bytes, Receipt] | None:
        """Receipts found among `hashes`; None if the node did not answer."""
        try:
            replies = self.batch_calls([("eth_getTransactionReceipt", ["0x" + h.hex()]) for h in hashes])
        except TRANSPORT_ERRORS:
            return None
        return {h: _receipt(r) for h, r in zip(hashes, replies, strict=True) if r}

    def batch_calls(self, calls: list[tuple[str, list[Any]]]) -> list[Any]:
        """Results of `calls` in one JSON-RPC batch (None for each the node answered with an error)."""
        out: list[Any] = []
        for start in range(0, len(calls), 500):
            provider: Any = self.w3.provider
            replies: Any = provider.make_batch_request(calls[start : start + 500])
            if not isinstance(replies, list):
                raise NodeError(f"the node refused a batch of calls: {replies.get('error')}")
            out += [reply.get("result") for reply in replies]
        return out

    def _rpc(self, fn: Callable[[], Any]) -> Any:
        try:
            return fn()
        except TRANSPORT_ERRORS as exc:
            raise NodeError(f"the node stopped answering: {type(exc).__name__}") from exc


def _receipt(raw: dict[str, Any]) -> Receipt:
    return Receipt(
        tx_hash=bytes.fromhex(raw["transactionHash"][2:]),
        block_number=int(raw["blockNumber"], 16),
        block_hash=bytes.fromhex(raw["blockHash"][2:]),
        status=int(raw["status"], 16),
        gas_used=int(raw["gasUsed"], 16),
        logs=list(raw["logs"]),
        contract_address=raw.get("contractAddress"),
    )


def _rpc_message(exc: Web3Exception) -> str:
    if exc.args and isinstance(exc.args[0], dict):
        return str(exc.args[0].get("message", exc))
    return str(exc)
