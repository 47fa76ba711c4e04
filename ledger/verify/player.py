"""`verify_player`: a player's history and balance from the API, checked against a node alone.

Completeness follows from the balance: dropping any set of entries changes the recomputed
balance or lifetime earned (amounts are positive and every debit needs credits before it), so a
history whose entries are each on chain and whose sums equal the chain's balance and earned at
the same block is the player's whole history up to that block.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from eth_abi.abi import decode, encode
from eth_utils.crypto import keccak

from ledger.artifact import load_artifact, player_slot
from ledger.chain.rpc import Rpc
from ledger.errors import ProofError
from ledger.model import balance_of, earned_of
from ledger.verify.apiclient import ClaimedBalance, ClaimedEntry, ClaimedProof, LedgerApi
from ledger.verify.entries import check_entries, check_listing, grouped_by_kind
from ledger.verify.proofs import header_hash, hex_bytes, verify_account, verify_storage

_PLAYER_OF = keccak(text="playerOf(bytes32)")[:4]
LOW128 = 2**128 - 1


@dataclass
class VerifyReport:
    player: bytes
    block: int = 0
    entries: int = 0
    balance: int | None = None
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def _h(value: bytes) -> str:
    return "0x" + value.hex()


def player_on_chain(rpc: Rpc, contract: str, player: bytes, block: int) -> tuple[int, int]:
    """(balance, lifetime earned) from the contract's `playerOf` view at `block`."""
    data = _PLAYER_OF + encode(["bytes32"], [player])
    raw = rpc.call("eth_call", [{"to": contract, "data": _h(data)}, hex(block)])
    balance, earned = decode(["uint256", "uint256"], hex_bytes(raw))
    return int(balance), int(earned)


def check_balance(
    claimed: ClaimedBalance, entries: list[ClaimedEntry], balance: int, earned: int
) -> list[str]:
    """The API's figures, the entries' sums and the chain's view must all agree."""
    sums = grouped_by_kind(entries)
    recomputed, issued = balance_of(sums), earned_of(sums)
    at = f"at block {claimed.as_of_block}"
    problems = []
    if recomputed != balance:
        problems.append(f"balance: the entries add up to {recomputed} but the chain says {balance} {at}")
    if issued != earned:
        problems.append(f"lifetime earned: the entries add up to {issued} but the chain says {earned} {at}")
    stated = {"available": (claimed.available, balance), "earned": (claimed.earned, earned),
              "paid": (claimed.paid, sums["paid"]), "reversed": (claimed.reversed, sums["reversed"]),
              "expired": (claimed.expired, sums["expired"])}  # fmt: skip
    for name, (said, truth) in stated.items():
        if said != truth:
            problems.append(
                f"balance: the API says {name} {said}, the chain and the entries say {truth} {at}"
            )
    return problems


def check_proof(
    proof: ClaimedProof, block: dict[str, Any], contract: str, player: bytes, balance: int, earned: int
) -> list[str]:
    """The storage proof must verify against the node's state root and show the chain's figures."""
    number = int(block["number"], 16)
    if proof.block_number != number or _h(proof.block_hash) != block["hash"]:
        return [
            f"proof: it is for block {proof.block_number} {_h(proof.block_hash)}, not the node's block {number}"
        ]
    try:
        if header_hash(proof.header) != proof.block_hash:
            return ["proof: its header fields do not hash to its block hash"]
        if proof.header.get("stateRoot") != block["stateRoot"]:
            return ["proof: its state root is not the node's state root for that block"]
        account = verify_account(hex_bytes(block["stateRoot"]), hex_bytes(contract), proof.account_proof)
        if account.code_hash != keccak(hex_bytes(load_artifact().deployed_bytecode)):
            return [f"proof: the code at {contract} is not the ledger contract's"]
        if account.storage_root != proof.storage_hash:
            return ["proof: its storage root is not the proven account's"]
        slot = player_slot(player)
        if proof.storage_proof.key != slot:
            return [f"proof: it proves slot {_h(proof.storage_proof.key)}, not the player's slot {_h(slot)}"]
        word = verify_storage(account.storage_root, slot, proof.storage_proof.proof)
    except ProofError as exc:
        return [f"proof: {exc}"]
    problems = []
    if (word & LOW128, word >> 128) != (balance, earned):
        problems.append(f"proof: the proven slot holds balance {word & LOW128}, earned {word >> 128}")
    if (proof.balance, proof.earned) != (word & LOW128, word >> 128):
        problems.append(
            f"proof: the API states balance {proof.balance}, earned {proof.earned}; the proof shows otherwise"
        )
    return problems


def _anchor(
    rpc: Rpc, claimed: ClaimedBalance, contract: str | None, problems: list[str]
) -> dict[str, Any] | None:
    """The node's block the balance is as of, after checking the API's chain, contract and block."""
    chain_id = int(rpc.call("eth_chainId", []), 16)
    if claimed.chain_id != chain_id:
        problems.append(f"the API serves chain {claimed.chain_id}, the node is chain {chain_id}")
    if contract is not None and claimed.contract.lower() != contract.lower():
        problems.append(f"the API serves contract {claimed.contract}, not the expected {contract}")
    number = claimed.as_of_block
    block = rpc.call("eth_getBlockByNumber", [hex(number), False])
    if not isinstance(block, dict):
        problems.append(f"block {number}, which the balance is as of, does not exist on the node")
        return None
    if block.get("hash") != _h(claimed.as_of_block_hash):
        problems.append(f"block {number} {_h(claimed.as_of_block_hash)} is not canonical on the node")
    return block


def is_ledger(rpc: Rpc, address: str, block: int) -> bool:
    """Whether the code at `address` is this project's ledger contract (not a look-alike)."""
    code = rpc.call("eth_getCode", [address, hex(block)])
    return isinstance(code, str) and code.lower() == load_artifact().deployed_bytecode.lower()


def verify_player(api: LedgerApi, rpc: Rpc, player: bytes, contract: str | None = None) -> VerifyReport:
    """Every check of the module docstring; problems are collected, never raised."""
    report = VerifyReport(player)
    claimed = api.balance(player)
    report.block = number = claimed.as_of_block
    block = _anchor(rpc, claimed, contract, report.problems)
    if block is None:
        return report
    address = contract or claimed.contract
    entries = api.history(player, number)
    report.entries = len(entries)
    report.problems += check_listing(entries, player, int(rpc.call("eth_chainId", []), 16), address, number)
    report.problems += check_entries(rpc, entries, address) if entries else []
    if not is_ledger(rpc, address, number):
        report.problems.append(f"the code at {address} at block {number} is not the ledger contract's")
        return report
    balance, earned = player_on_chain(rpc, address, player, number)
    report.balance = balance
    report.problems += check_balance(claimed, entries, balance, earned)
    proof = api.proof(player, number)
    report.problems += check_proof(proof, block, address, player, balance, earned)
    return report
