"""Signs locally and sends EIP-1559 transactions, many in flight, and waits for their receipts.

Nonces are counted locally (from the node's pending count) so that a batch run keeps dozens of
transactions in flight; every transaction is estimated first, so a revert is reported, decoded,
before anything is sent.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from eth_account.signers.local import LocalAccount
from eth_utils.crypto import keccak
from web3 import Web3
from web3.exceptions import ContractLogicError, Web3Exception, Web3RPCError

from ledger.chain.client import TRANSPORT_ERRORS
from ledger.chain.reverts import decode_revert, revert_data_from
from ledger.errors import NodeError, TransactionError


@dataclass(frozen=True)
class Receipt:
    tx_hash: bytes
    block_number: int
    block_hash: bytes
    status: int
    gas_used: int
    logs: list[dict[str, Any]]
    contract_address: str | None = None


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
    ) -> None:
        self.w3 = w3
        self.account = account
        self.address = account.address
        self.chain_id = int(w3.eth.chain_id)
        self.timeout = timeout
        self.gas_headroom = gas_headroom
        self.poll_interval = poll_interval
        self._nonce: int | None = None
        self._fees: tuple[float, int, int] | None = None

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
            try:
                block = self.w3.eth.get_block("latest")
                tip = int(self.w3.eth.max_priority_fee)
            except TRANSPORT_ERRORS as exc:
                raise NodeError(f"the node stopped answering: {type(exc).__name__}") from exc
            base = int(block.get("baseFeePerGas", 0) or 0)
            self._fees = (now, 2 * base + tip, tip)
        return self._fees[1], self._fees[2]

    def balance(self) -> int:
        return int(self.w3.eth.get_balance(self.address))

    # ------------------------------------------------------------ sending

    def send(self, to: str, data: bytes, gas: int) -> bytes:
        """Signs and sends one transaction with the next nonce; returns its hash."""
        return self._send({"to": to, "data": data, "gas": gas})

    def send_create(self, data: bytes, gas: int) -> bytes:
        """Sends a contract-creation transaction."""
        return self._send({"data": data, "gas": gas})

    def _send(self, fields: dict[str, Any]) -> bytes:
        if self._nonce is None:
            self._nonce = int(self.w3.eth.get_transaction_count(self.address, "pending"))
        max_fee, tip = self.fees()
        tx = {
            "type": 2,
            "chainId": self.chain_id,
            "nonce": self._nonce,
            "value": 0,
            "maxFeePerGas": max_fee,
            "maxPriorityFeePerGas": tip,
            **fields,
        }
        raw = bytes(self.account.sign_transaction(tx).raw_transaction)
        tx_hash = keccak(raw)
        try:
            self.w3.eth.send_raw_transaction(raw)
        except Web3RPCError as exc:
            message = _rpc_message(exc).lower()
            if "already known" not in message:
                self._nonce = None  # re-read from the node next time
                if "insufficient funds" in message:
                    raise TransactionError(
                        f"account {self.address} cannot pay for gas: fund it first"
                    ) from exc
                raise TransactionError(f"the node rejected the transaction: {_rpc_message(exc)}") from exc
        except TRANSPORT_ERRORS as exc:
            self._nonce = None
            raise NodeError(
                f"the node stopped answering while sending 0x{tx_hash.hex()}; it may still land: "
                "re-running is safe"
            ) from exc
        self._nonce += 1
        return tx_hash

    def wait(self, hashes: Sequence[bytes]) -> list[Receipt]:
        """Waits for every receipt (polling in JSON-RPC batches); raises if one failed or timed out."""
        pending = {h: i for i, h in enumerate(hashes)}
        found: dict[bytes, Receipt] = {}
        deadline = time.monotonic() + self.timeout
        while pending:
            for tx_hash, receipt in self._poll(list(pending)):
                found[tx_hash] = receipt
                del pending[tx_hash]
            if not pending:
                break
            if time.monotonic() > deadline:
                first = next(iter(pending))
                raise TransactionError(
                    f"{len(pending)} transaction(s) not mined after {self.timeout:g} s (first 0x{first.hex()}); "
                    "they may still land: re-running is safe"
                )
            time.sleep(self.poll_interval)
        receipts = [found[h] for h in hashes]
        for receipt in receipts:
            if receipt.status != 1:
                raise TransactionError(
                    f"transaction 0x{receipt.tx_hash.hex()} reverted in block {receipt.block_number}"
                )
        return receipts

    def transact(self, to: str, data: bytes) -> Receipt:
        """Estimate, send and wait: one transaction, end to end."""
        return self.wait([self.send(to, data, self.estimate(to, data))])[0]

    def _poll(self, hashes: list[bytes]) -> list[tuple[bytes, Receipt]]:
        requests_ = [("eth_getTransactionReceipt", ["0x" + h.hex()]) for h in hashes]
        try:
            provider: Any = self.w3.provider
            responses: Any = provider.make_batch_request(requests_)
        except TRANSPORT_ERRORS:
            return []  # a passing fault: poll again until the deadline
        if not isinstance(responses, list):
            return []
        out = []
        for tx_hash, response in zip(hashes, responses, strict=True):
            result = response.get("result")
            if result:
                out.append((tx_hash, _receipt(result)))
        return out


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
