"""Connections to a node and typed reads of the ledger contract's views."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import requests
from web3 import Web3
from web3.contract import Contract
from web3.exceptions import Web3Exception
from web3.types import BlockIdentifier

from ledger.artifact import load_artifact, role_id
from ledger.chain.provider import web3_on
from ledger.chain.rpc import Rpc
from ledger.encoding import checksum
from ledger.errors import ConfigError, NodeError, TransportError

# What a lost node raises: through `connect`'s provider, and through web3's own (the tests use it).
TRANSPORT_ERRORS = (TransportError, requests.exceptions.RequestException, OSError)


def connect(url: str, timeout: float = 30.0) -> Web3:
    """A `Web3` on `url`, checked to answer at once; an unreachable node is a clear `NodeError`."""
    probe = Rpc(url, timeout=min(timeout, 10.0))
    try:
        probe.call("eth_chainId")  # one attempt: a node that is not there fails the command at once
    finally:
        probe.close()
    w3 = web3_on(url, timeout)
    try:
        w3.eth.chain_id  # noqa: B018 - cached by web3 from here on
    except (Web3Exception, ValueError) as exc:
        raise NodeError(f"the node at {url} answered with an error: {exc}") from exc
    return w3


@dataclass(frozen=True)
class PlayerState:
    balance: int
    earned: int


@dataclass(frozen=True)
class CampaignState:
    budget: int
    issued: int
    start: int
    end: int
    closed: bool
    terms_hash: bytes

    @property
    def exists(self) -> bool:
        return self.end != 0

    @property
    def remaining(self) -> int:
        return self.budget - self.issued


@dataclass(frozen=True)
class Totals:
    issued: int
    paid: int
    reversed: int
    expired: int

    @property
    def outstanding(self) -> int:
        return self.issued - self.paid - self.reversed - self.expired


class LedgerClient:
    """The ledger contract at one address on one node; every view takes an optional block."""

    def __init__(self, w3: Web3, address: str) -> None:
        self.w3 = w3
        self.address = checksum(address)
        self.contract: Contract = w3.eth.contract(address=self.address, abi=load_artifact().abi)
        self.chain_id = int(w3.eth.chain_id)

    def check_code(self) -> None:
        """Raises unless the runtime code at the address is exactly the committed artifact's."""
        code = bytes(self.w3.eth.get_code(self.address))
        if not code:
            raise ConfigError(f"no contract at {self.address} on chain {self.chain_id}")
        if code != bytes.fromhex(load_artifact().deployed_bytecode.removeprefix("0x")):
            raise ConfigError(f"the code at {self.address} is not this project's RewardsLedger")

    def _call(self, name: str, *args: Any, block: BlockIdentifier = "latest") -> Any:
        try:
            return getattr(self.contract.functions, name)(*args).call(block_identifier=block)
        except TRANSPORT_ERRORS as exc:
            raise NodeError(f"the node stopped answering: {type(exc).__name__}") from exc

    def player(self, player: bytes, block: BlockIdentifier = "latest") -> PlayerState:
        balance, earned = self._call("playerOf", player, block=block)
        return PlayerState(int(balance), int(earned))

    def campaign(self, campaign_id: bytes, block: BlockIdentifier = "latest") -> CampaignState:
        budget, issued, start, end, closed, terms = self._call("campaignOf", campaign_id, block=block)
        return CampaignState(int(budget), int(issued), int(start), int(end), bool(closed), bytes(terms))

    def totals(self, block: BlockIdentifier = "latest") -> Totals:
        return Totals(*(int(v) for v in self._call("totals", block=block)))

    def chain_state(self, block: BlockIdentifier = "latest") -> tuple[int, bytes]:
        count, head = self._call("chainState", block=block)
        return int(count), bytes(head)

    def reference_of(self, ref: bytes, block: BlockIdentifier = "latest") -> bytes:
        return bytes(self._call("referenceOf", ref, block=block))

    def references_used(self, refs: list[bytes], block: BlockIdentifier = "latest") -> list[bool]:
        """Whether each reference was used, asked in one JSON-RPC batch."""
        return [value != b"\x00" * 32 for value in self.references_of(refs, block)]

    def references_of(self, refs: list[bytes], block: BlockIdentifier = "latest") -> list[bytes]:
        """What each reference committed to (zero if unused), asked in JSON-RPC batches."""
        tag = block if isinstance(block, str) else hex(int(block))
        requests_ = [
            ("eth_call", [{"to": self.address, "data": "0x" + self.encode("referenceOf", ref).hex()}, tag])
            for ref in refs
        ]
        used: list[bytes] = []
        for start in range(0, len(requests_), 500):
            provider: Any = self.w3.provider
            try:
                replies = provider.make_batch_request(requests_[start : start + 500])
            except TRANSPORT_ERRORS as exc:
                raise NodeError(f"the node stopped answering: {type(exc).__name__}") from exc
            if not isinstance(replies, list):
                raise NodeError(f"the node refused a batch of calls: {replies.get('error')}")
            for reply in replies:
                if "result" not in reply:
                    raise NodeError(f"the node refused a call: {reply.get('error')}")
                used.append(bytes.fromhex(reply["result"][2:]).rjust(32, b"\x00")[-32:])
        return used

    def reversal_of(self, reward_seq: int, block: BlockIdentifier = "latest") -> int:
        return int(self._call("reversalOf", reward_seq, block=block))

    def has_role(self, role: str, account: str, block: BlockIdentifier = "latest") -> bool:
        return bool(self._call("hasRole", role_id(role), checksum(account), block=block))

    def paused(self, block: BlockIdentifier = "latest") -> bool:
        return bool(self._call("paused", block=block))

    def encode(self, name: str, *args: Any) -> bytes:
        """Calldata for one of the contract's functions."""
        return bytes.fromhex(self.contract.encode_abi(name, args=list(args)).removeprefix("0x"))
