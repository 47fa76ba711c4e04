"""Reads from the API's node: the EIP-1186 balance proof and the live chain head.

A node can fail in any way (refuse, time out, answer nonsense): each read turns whatever comes
back malformed into a `NodeError` (503), never an exception the API did not expect."""

from __future__ import annotations

from typing import Any

from api.models import BalanceProofPublic, StorageProofPublic
from ledger.artifact import player_slot
from ledger.chain.rpc import Rpc
from ledger.errors import NodeError, NotFound
from ledger.verify.proofs import header_fields

MALFORMED = (KeyError, IndexError, TypeError, ValueError, AttributeError, OverflowError)


def balance_proof(rpc: Rpc, chain_id: int, contract: str, player: str, block: int) -> BalanceProofPublic:
    """The proof of the player's storage slot at `block`, with the block's header fields."""
    slot = "0x" + player_slot(bytes.fromhex(player[2:])).hex()
    header = rpc.call("eth_getBlockByNumber", [hex(block), False])
    if header is None:
        raise NotFound(f"block {block} does not exist on the API's node yet")
    proof = rpc.call("eth_getProof", [contract, [slot], hex(block)])
    try:
        return _public(player, chain_id, contract, block, slot, header, proof)
    except MALFORMED as exc:
        raise NodeError(
            f"the API's node answered block {block} or its proof malformed ({type(exc).__name__})"
        ) from exc


def _public(
    player: str, chain_id: int, contract: str, block: int, slot: str, header: Any, proof: Any
) -> BalanceProofPublic:
    if not proof.get("storageProof"):
        raise NodeError(f"the node answered eth_getProof at block {block} without a storage proof")
    storage = proof["storageProof"][0]
    word = int(storage["value"], 16)
    return BalanceProofPublic(
        player=player, chain_id=chain_id, contract=contract, block_number=block, block_hash=header["hash"],
        state_root=header["stateRoot"], header=header_fields(header), slot=slot,
        balance=str(word & (2**128 - 1)), earned=str(word >> 128), nonce=int(proof["nonce"], 16),
        code_hash=proof["codeHash"], storage_hash=proof["storageHash"], account_proof=proof["accountProof"],
        storage_proof=StorageProofPublic(key=slot, value='0x' + word.to_bytes(32, 'big').hex(), proof=storage["proof"]),
    )  # fmt: skip


def node_head(rpc: Rpc) -> int | None:
    """The node's latest block number, or None when it does not answer, or answers nonsense."""
    try:
        return int(rpc.call("eth_blockNumber", []), 16)
    except (NodeError, *MALFORMED):
        return None
