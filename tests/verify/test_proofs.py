"""Merkle-Patricia proofs and block headers checked locally, against anvil's real proofs."""

from __future__ import annotations

import secrets
from typing import Any

import pytest
from eth_utils.crypto import keccak
from web3 import Web3

from api.node import balance_proof
from ledger.artifact import player_slot
from ledger.chain.rpc import Rpc
from ledger.errors import ProofError
from ledger.verify.apiclient import ClaimedProof
from ledger.verify.proofs import check_proof, header_hash, hex_bytes, verify_account, verify_storage
from ledger.verify.views import ledger_code_hash
from tests.api.world import World


@pytest.fixture
def rpc(world: World) -> Rpc:
    return Rpc(world.w3.provider.endpoint_uri)  # type: ignore[attr-defined]


def raw_block(w3: Web3, number: int) -> dict[str, Any]:
    block: dict[str, Any] = w3.provider.make_request("eth_getBlockByNumber", [hex(number), False])["result"]  # type: ignore[arg-type]
    return block


def proof_of(world: World, rpc: Rpc, name: str, block: int) -> ClaimedProof:
    public = balance_proof(rpc, 31337, world.address, world.key(name), block)
    return ClaimedProof.model_validate(public.model_dump())


def test_a_header_rebuilt_from_its_fields_hashes_to_the_block_hash(world: World) -> None:
    block = raw_block(world.w3, world.w3.eth.block_number)
    assert "0x" + header_hash(block).hex() == block["hash"]
    assert header_hash({**block, "stateRoot": "0x" + "00" * 32}) != hex_bytes(block["hash"])


def test_a_storage_proof_shows_the_packed_balance_and_earned(world: World, rpc: Rpc) -> None:
    number = world.w3.eth.block_number
    proof = proof_of(world, rpc, "alice", number)
    account = verify_account(
        hex_bytes(raw_block(world.w3, number)["stateRoot"]), hex_bytes(world.address), proof.account_proof
    )
    word = verify_storage(
        account.storage_root, player_slot(world.players["alice"]), proof.storage_proof.proof
    )
    assert (word & (2**128 - 1), word >> 128) == (320, 405)


def test_a_players_slot_is_in_the_ledgers_own_namespace_and_its_proof_shows_the_views_figures(
    world: World, rpc: Rpc
) -> None:
    # ERC-7201 as the EIP states it; `players` is the first member of rewardsledger.storage.Core.
    inner = int.from_bytes(keccak(text="rewardsledger.storage.Core"), "big") - 1
    root = int.from_bytes(keccak(inner.to_bytes(32, "big")), "big") & ~0xFF
    player = world.players["bob"]
    slot = keccak(player + root.to_bytes(32, "big"))
    assert player_slot(player) == slot
    number = world.w3.eth.block_number
    raw = rpc.call("eth_getProof", [world.address, ["0x" + slot.hex()], hex(number)])
    account = verify_account(
        hex_bytes(raw_block(world.w3, number)["stateRoot"]), hex_bytes(world.address), raw["accountProof"]
    )
    word = verify_storage(account.storage_root, slot, raw["storageProof"][0]["proof"])
    state = world.client.player(player, block=number)
    assert (word & (2**128 - 1), word >> 128) == (state.balance, state.earned) != (0, 0)


def test_a_proof_of_an_absent_slot_shows_zero(world: World, rpc: Rpc) -> None:
    nobody = secrets.token_bytes(32)
    slot = "0x" + player_slot(nobody).hex()
    raw = rpc.call("eth_getProof", [world.address, [slot], "latest"])
    assert (
        verify_storage(hex_bytes(raw["storageHash"]), player_slot(nobody), raw["storageProof"][0]["proof"])
        == 0
    )


def test_a_corrupted_proof_node_or_a_wrong_root_does_not_verify(world: World, rpc: Rpc) -> None:
    proof = proof_of(world, rpc, "bob", world.w3.eth.block_number)
    nodes = list(proof.storage_proof.proof)
    nodes[-1] = nodes[-1][:-2] + ("00" if nodes[-1][-2:] != "00" else "01")
    with pytest.raises(ProofError, match="storage proof"):
        verify_storage(proof.storage_hash, player_slot(world.players["bob"]), nodes)
    with pytest.raises(ProofError, match="does not verify against root"):
        verify_account(b"\x11" * 32, hex_bytes(world.address), proof.account_proof)


def test_check_proof_refuses_a_proof_for_another_block_or_a_false_figure(world: World, rpc: Rpc) -> None:
    number = world.w3.eth.block_number
    block = raw_block(world.w3, number)
    alice, bob, code = world.players["alice"], world.players["bob"], ledger_code_hash()

    def problems(
        proof: ClaimedProof, player: bytes, figures: tuple[int, int], code_hash: bytes = code
    ) -> list[str]:
        found = check_proof(proof, block, world.address, player, figures, code_hash)
        assert {p.category for p in found} <= {"proof"}
        return [p.message for p in found]

    honest = proof_of(world, rpc, "alice", number)
    assert problems(honest, alice, (320, 405)) == []
    older = proof_of(world, rpc, "alice", number - 1)
    assert problems(older, alice, (320, 405))[0].startswith("proof: it is for block")
    inflated = honest.model_copy(update={"balance": 10_000})
    assert problems(inflated, alice, (320, 405)) == [
        "proof: the API states balance 10000, earned 405; the proof shows otherwise"
    ]
    assert problems(honest, alice, (321, 405)) == ["proof: the proven slot holds balance 320, earned 405"]
    assert problems(honest, bob, (67, 77))[0].startswith("proof: it proves slot")
    assert problems(honest, alice, (320, 405), code_hash=b"\x01" * 32) == [
        f"proof: the code at {world.address} is not the ledger contract's"
    ]
