"""Merkle-Patricia proofs (EIP-1186) and block headers, checked locally.

A node's `eth_getProof` answer proves an account and some of its storage slots against a block's
state root; the state root is bound to the block hash by the header's RLP encoding. Nothing here
talks to a node: the caller supplies the block it trusts. (docs/verification.md, check 13.)
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import rlp  # type: ignore[import-untyped]
from eth_utils.crypto import keccak
from trie.exceptions import BadTrieProof
from trie.hexary import HexaryTrie

from ledger.artifact import player_slot
from ledger.errors import ProofError
from ledger.verify.apiclient import ClaimedProof
from ledger.verify.report import Problem

EMPTY_TRIE_ROOT = keccak(rlp.encode(b""))
LOW128 = 2**128 - 1

# Header fields in RLP order; later forks append fields, so a header stops at its last present one.
HEADER_FIELDS = (
    "parentHash", "sha3Uncles", "miner", "stateRoot", "transactionsRoot", "receiptsRoot", "logsBloom",
    "difficulty", "number", "gasLimit", "gasUsed", "timestamp", "extraData", "mixHash", "nonce",
    "baseFeePerGas", "withdrawalsRoot", "blobGasUsed", "excessBlobGas", "parentBeaconBlockRoot",
    "requestsHash",
)  # fmt: skip
_INT_FIELDS = frozenset(
    {
        "difficulty",
        "number",
        "gasLimit",
        "gasUsed",
        "timestamp",
        "baseFeePerGas",
        "blobGasUsed",
        "excessBlobGas",
    }
)


@dataclass(frozen=True)
class AccountState:
    nonce: int
    balance: int
    storage_root: bytes
    code_hash: bytes


def hex_bytes(value: str) -> bytes:
    """0x-hex to bytes; `ProofError` on anything else."""
    if not isinstance(value, str) or not value.startswith("0x"):
        raise ProofError(f"{value!r} is not 0x-hex")
    try:
        return bytes.fromhex(value[2:] if len(value) % 2 == 0 else "0" + value[2:])
    except ValueError:
        raise ProofError(f"{value!r} is not 0x-hex") from None


def _prove(root: bytes, key: bytes, proof: Sequence[str], what: str) -> bytes:
    try:
        nodes = [rlp.decode(hex_bytes(node)) for node in proof]
        return bytes(HexaryTrie.get_from_proof(root, keccak(key), nodes))  # type: ignore[no-untyped-call]
    except BadTrieProof as exc:
        raise ProofError(f"the {what} proof does not verify against root 0x{root.hex()}: {exc}") from exc
    except (rlp.DecodingError, ValueError, TypeError, IndexError) as exc:
        raise ProofError(f"the {what} proof is malformed: {exc}") from exc


def verify_account(state_root: bytes, address: bytes, proof: Sequence[str]) -> AccountState:
    """The account at `address` as the proof shows it under `state_root`."""
    raw = _prove(state_root, address, proof, "account")
    if not raw:
        return AccountState(0, 0, EMPTY_TRIE_ROOT, keccak(b""))
    try:
        nonce, balance, storage_root, code_hash = rlp.decode(raw)
    except (rlp.DecodingError, ValueError) as exc:
        raise ProofError(f"the proven account is not an RLP account: {exc}") from exc
    return AccountState(
        int.from_bytes(nonce, "big"), int.from_bytes(balance, "big"), bytes(storage_root), bytes(code_hash)
    )


def verify_storage(storage_root: bytes, slot: bytes, proof: Sequence[str]) -> int:
    """The value of storage `slot` as the proof shows it under `storage_root` (0 if absent)."""
    raw = _prove(storage_root, slot, proof, "storage")
    if not raw:
        return 0
    try:
        return int.from_bytes(rlp.decode(raw), "big")
    except (rlp.DecodingError, ValueError) as exc:
        raise ProofError(f"the proven storage value is not RLP: {exc}") from exc


def header_hash(header: Mapping[str, Any]) -> bytes:
    """keccak256 of the header's RLP encoding, rebuilt from its JSON-RPC fields."""
    items: list[bytes] = []
    for name in HEADER_FIELDS:
        if header.get(name) is None:
            break
        value = hex_bytes(str(header[name]))
        if name in _INT_FIELDS:
            value = value.lstrip(b"\x00")  # RLP integers are minimal big-endian
        items.append(value)
    if len(items) < 15:
        raise ProofError("the block header lacks the fields of a pre-London header")
    return keccak(rlp.encode(items))


def header_fields(block: Mapping[str, Any]) -> dict[str, str]:
    """The header fields of a JSON-RPC block, in RLP order (what `header_hash` needs)."""
    return {name: str(block[name]) for name in HEADER_FIELDS if block.get(name) is not None}


def check_proof(
    proof: ClaimedProof,
    block: Mapping[str, Any],
    contract: str,
    player: bytes,
    figures: tuple[int, int],
    code_hash: bytes,
) -> list[Problem]:
    """The storage proof of the player's slot must verify against the node's state root of `block`,
    prove the ledger's code, and show `figures` (the contract's balance and earned at `block`)."""
    try:
        why = _proof_problem(proof, block, contract, player, code_hash)
    except ProofError as exc:
        why = str(exc)
    if isinstance(why, str):
        return [Problem("proof", f"proof: {why}")]
    problems = []
    proven = (why & LOW128, why >> 128)
    if proven != figures:
        problems.append(
            Problem("proof", f"proof: the proven slot holds balance {proven[0]}, earned {proven[1]}")
        )
    if (proof.balance, proof.earned) != proven:
        problems.append(
            Problem(
                "proof",
                f"proof: the API states balance {proof.balance}, earned {proof.earned}; the proof shows otherwise",
            )
        )
    return problems  # fmt: skip


def _proof_problem(
    proof: ClaimedProof, block: Mapping[str, Any], contract: str, player: bytes, code_hash: bytes
) -> int | str:
    """The proven storage word, or why the proof does not hold (in the order a reader checks it)."""
    number, block_hash = int(block["number"], 16), hex_bytes(block["hash"])
    if proof.block_number != number or proof.block_hash != block_hash:
        return (
            f"it is for block {proof.block_number} 0x{proof.block_hash.hex()}, not the node's block {number}"
        )
    if header_hash(proof.header) != proof.block_hash:
        return "its header fields do not hash to its block hash"
    if str(proof.header.get("stateRoot", "")).lower() != str(block["stateRoot"]).lower():
        return "its state root is not the node's state root for that block"
    account = verify_account(hex_bytes(block["stateRoot"]), hex_bytes(contract), proof.account_proof)
    if account.code_hash != code_hash:
        return f"the code at {contract} is not the ledger contract's"
    if account.storage_root != proof.storage_hash:
        return "its storage root is not the proven account's"
    slot = player_slot(player)
    if proof.storage_proof.key != slot:
        return f"it proves slot 0x{proof.storage_proof.key.hex()}, not the player's slot 0x{slot.hex()}"
    return verify_storage(account.storage_root, slot, proof.storage_proof.proof)
