"""The page's RLP, trie walk and header hash (api/web/static/proof.js) against anvil's real blocks
and proofs, beside the Python checker (the `trie` and `rlp` packages) on the same bytes."""

from __future__ import annotations

import secrets
from typing import Any

import pytest
import rlp  # type: ignore[import-untyped]

from ledger.artifact import player_slot
from ledger.chain.rpc import Rpc
from ledger.errors import ProofError
from ledger.verify.proofs import header_hash, hex_bytes, verify_account, verify_storage
from tests.api.world import World
from tests.verify.node import run_js


@pytest.fixture
def rpc(world: World) -> Rpc:
    return Rpc(world.w3.provider.endpoint_uri)  # type: ignore[attr-defined]


def test_the_page_hashes_real_headers_to_their_block_hashes(world: World, rpc: Rpc) -> None:
    head = world.w3.eth.block_number
    blocks = rpc.batch([("eth_getBlockByNumber", [hex(n), False]) for n in range(head - 4, head + 1)])
    hashes = run_js(
        'return input.map((b) => m["proof.js"].headerHash(m["proof.js"].headerFields(b)));', blocks
    )
    assert hashes == [b["hash"] for b in blocks] == ["0x" + header_hash(b).hex() for b in blocks]


def test_the_page_reads_the_same_account_and_slots_from_real_proofs(world: World, rpc: Rpc) -> None:
    block = rpc.call("eth_getBlockByNumber", ["latest", False])
    nobody = secrets.token_bytes(32)
    players = [world.players["alice"], world.players["bob"], nobody]
    proof = rpc.call(
        "eth_getProof", [world.address, ["0x" + player_slot(p).hex() for p in players], block["number"]]
    )
    code = """
    const p = m["proof.js"], { root, address, proof, players } = input;
    const account = p.verifyAccount(root, address, proof.accountProof);
    const slots = players.map((player) => p.playerSlot(player));
    const values = proof.storageProof.map((s, i) => p.verifyStorage(account.storageRoot, slots[i], s.proof));
    return { account, slots, values, code: m["ledger.js"].CODE_HASH };
    """
    data = {"root": block["stateRoot"], "address": world.address, "proof": proof, "players": ["0x" + p.hex() for p in players]}  # fmt: skip
    found = run_js(code, data)
    account = verify_account(hex_bytes(block["stateRoot"]), hex_bytes(world.address), proof["accountProof"])
    assert found["account"]["storageRoot"] == "0x" + account.storage_root.hex() == proof["storageHash"]
    assert found["account"]["codeHash"] == "0x" + account.code_hash.hex() == found["code"]
    assert found["slots"] == ["0x" + player_slot(p).hex() for p in players]
    python = [verify_storage(account.storage_root, player_slot(p), s["proof"]) for p, s in zip(players, proof["storageProof"], strict=True)]  # fmt: skip
    assert [int(v) for v in found["values"]] == python == [320 + (405 << 128), 67 + (77 << 128), 0]


def test_a_proof_missing_a_node_fails_in_both(world: World, rpc: Rpc) -> None:
    slot = "0x" + player_slot(world.players["alice"]).hex()
    proof = rpc.call("eth_getProof", [world.address, [slot], "latest"])
    nodes = proof["storageProof"][0]["proof"][:-1]
    code = """
    try { m["proof.js"].verifyStorage(input.root, input.slot, input.nodes); return "verified"; }
    catch (err) { return err instanceof m["proof.js"].ProofError ? err.message : "other: " + err; }
    """
    message = run_js(code, {"root": proof["storageHash"], "slot": slot, "nodes": nodes})
    assert message.startswith("the storage proof does not verify against root")
    with pytest.raises(ProofError, match="does not verify against root"):
        verify_storage(hex_bytes(proof["storageHash"]), hex_bytes(slot), nodes)


@pytest.mark.parametrize(
    "encoded",
    ["0x8105", "0xb800", "0x0000", "0x82ff", "0xc28001ff", "0xb90001ff", ""],
    ids=["byte as a string", "long form for a short string", "trailing bytes", "ends early",
         "list with trailing bytes", "length with a leading zero", "empty input"],
)  # fmt: skip
def test_malformed_rlp_is_refused_by_both(encoded: str) -> None:
    with pytest.raises(rlp.DecodingError):
        rlp.decode(bytes.fromhex(encoded[2:]))
    code = """
    try { m["proof.js"].rlpDecode(m["proof.js"].bytesOf(input)); return "decoded"; }
    catch (err) { return err instanceof m["proof.js"].ProofError ? "refused" : "other: " + err; }
    """
    assert run_js(code, encoded or "0x") == "refused"


def test_well_formed_rlp_decodes_alike(world: World, rpc: Rpc) -> None:
    proof = rpc.call("eth_getProof", [world.address, [], "latest"])
    code = """
    const hex = (x) => Array.isArray(x) ? x.map(hex) : "0x" + Array.from(x, (b) => b.toString(16).padStart(2, "0")).join("");
    return input.map((n) => hex(m["proof.js"].rlpDecode(m["proof.js"].bytesOf(n))));
    """

    def as_hex(item: Any) -> Any:
        return [as_hex(i) for i in item] if isinstance(item, list) else "0x" + bytes(item).hex()

    nodes = proof["accountProof"]
    assert run_js(code, nodes) == [as_hex(rlp.decode(hex_bytes(n))) for n in nodes]
