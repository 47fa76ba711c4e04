"""What the Hardhat node does differently from anvil, pinned down so that a change shows up here."""

from __future__ import annotations

import secrets
from pathlib import Path

import pytest
import rlp
from eth_utils.crypto import keccak
from trie import HexaryTrie
from web3 import Web3

from ledger.artifact import CORE_NAMESPACE, load_artifact
from ledger.chain.hardhat import EIP_7825_TX_GAS_CAP, HardhatNode
from ledger.chain.managed import rpc_answers
from ledger.chain.node import DEV_CHAIN_ID
from ledger.encoding import Row, pack_rows
from ledger.errors import NodeError, TransactionError
from tests.conftest import LedgerHarness, free_port, random_player, wait_until
from tests.hardhat.conftest import rpc


def test_the_hardhat_node_is_a_development_chain_mining_each_transaction_at_once(
    hardhat_ledger: LedgerHarness,
) -> None:
    w3 = hardhat_ledger.w3
    before = int(w3.eth.block_number)
    hardhat_ledger.issue(hardhat_ledger.campaign(), random_player(), 5)

    assert int(w3.eth.chain_id) == DEV_CHAIN_ID
    assert str(rpc(w3, "web3_clientVersion")["result"]).startswith("HardhatNetwork/3.")
    assert int(w3.eth.block_number) == before + 2  # campaign and issue: one block each
    latest = w3.eth.get_block("latest")
    assert latest["timestamp"] > w3.eth.get_block(before + 1)["timestamp"]  # never equal, unlike anvil
    assert latest["gasLimit"] == 60_000_000
    assert latest["baseFeePerGas"] > 0


def test_hardhat_treats_the_latest_block_as_safe_and_finalized(hardhat_w3: Web3) -> None:
    rpc(hardhat_w3, "hardhat_mine", ["0x3"])
    latest = hardhat_w3.eth.get_block("latest")

    assert hardhat_w3.eth.get_block("safe")["hash"] == latest["hash"]
    assert hardhat_w3.eth.get_block("finalized")["hash"] == latest["hash"]


def test_hardhat_speaks_hardhat_and_evm_methods_but_not_anvils(hardhat_w3: Web3) -> None:
    address = "0x" + secrets.token_hex(20)

    assert rpc(hardhat_w3, "hardhat_setBalance", [address, hex(7)])["result"] is True
    assert int(hardhat_w3.eth.get_balance(Web3.to_checksum_address(address))) == 7
    assert "result" in rpc(hardhat_w3, "evm_snapshot")
    assert "result" in rpc(hardhat_w3, "hardhat_metadata")
    for method in ("anvil_setBalance", "anvil_mine", "anvil_reorg", "txpool_content", "eth_getBlockReceipts"):
        assert "not supported" in rpc(hardhat_w3, method, [])["error"]["message"]


def prove(root: bytes, key: str, proof: list[str]) -> bytes:
    """The value a Merkle-Patricia proof shows for `key` (0x-hex) under `root`; raises if it is bad."""
    nodes = [rlp.decode(bytes.fromhex(node[2:])) for node in proof]
    return bytes(HexaryTrie.get_from_proof(root, keccak(bytes.fromhex(key[2:])), nodes))


def test_hardhat_proves_the_ledgers_storage_with_eth_get_proof_for_full_width_slot_keys(
    hardhat_ledger: LedgerHarness,
) -> None:
    w3, address = hardhat_ledger.w3, hardhat_ledger.client.address
    hardhat_ledger.issue(hardhat_ledger.campaign(), random_player(), 5)
    block = w3.eth.get_block("latest")
    core = [load_artifact().slot_of(label, CORE_NAMESPACE) for label in ("chain", "head", "totals")]
    slots = ["0x" + slot.to_bytes(32, "big").hex() for slot in core]  # count and issued, head, totals
    proof = rpc(w3, "eth_getProof", [address, slots, hex(block["number"])])["result"]

    account = prove(bytes(block["stateRoot"]), address, proof["accountProof"])
    storage_root = bytes(rlp.decode(account)[2])
    proven = {}
    for item in proof["storageProof"]:
        raw = prove(storage_root, item["key"], item["proof"])
        proven[item["key"]] = int.from_bytes(rlp.decode(raw), "big") if raw else 0
    stored = {
        slot: int.from_bytes(w3.eth.get_storage_at(address, int(slot, 16), block["number"]), "big")
        for slot in slots
    }

    assert proven == stored
    assert proven[slots[1]] == int.from_bytes(hardhat_ledger.client.chain_state()[1], "big")  # the head
    assert "error" in rpc(w3, "eth_getProof", [address, ["0x0"], "latest"])  # as on anvil: 32-byte keys only


def test_a_hardhat_filter_hands_out_each_log_once_so_the_indexer_reads_ranges(
    hardhat_ledger: LedgerHarness,
) -> None:
    hardhat_ledger.issue(hardhat_ledger.campaign(), random_player(), 5)
    spec = {"address": hardhat_ledger.client.address, "fromBlock": hex(hardhat_ledger.deploy_block)}
    logs = rpc(hardhat_ledger.w3, "eth_getLogs", [{**spec, "toBlock": "latest"}])["result"]
    filter_id = rpc(hardhat_ledger.w3, "eth_newFilter", [spec])["result"]

    first = rpc(hardhat_ledger.w3, "eth_getFilterLogs", [filter_id])["result"]
    again = rpc(hardhat_ledger.w3, "eth_getFilterLogs", [filter_id])["result"]

    assert len(first) == len(logs) > 0
    assert again == []  # anvil would return the same logs again


def test_a_batch_over_the_osaka_transaction_gas_cap_is_refused_by_hardhat(
    hardhat_ledger: LedgerHarness,
) -> None:
    rows = [Row(random_player(), 1, secrets.token_bytes(20)) for _ in range(600)]

    campaign = hardhat_ledger.campaign()
    data = hardhat_ledger.client.encode("issueBatch", secrets.token_bytes(32), campaign, pack_rows(rows))
    gas = hardhat_ledger.sender.estimate(hardhat_ledger.client.address, data)

    with pytest.raises(TransactionError, match="gas cap"):
        hardhat_ledger.sender.send(hardhat_ledger.client.address, data, gas)

    assert gas > EIP_7825_TX_GAS_CAP
    assert hardhat_ledger.client.chain_state()[0] == 0


def test_a_second_node_on_a_taken_port_is_refused(hardhat: HardhatNode, tmp_path: Path) -> None:
    with pytest.raises(NodeError, match="already answers"):
        HardhatNode(tmp_path, port=hardhat.port).start()


@pytest.mark.slow
def test_a_restarted_hardhat_node_starts_again_from_an_empty_chain(tmp_path: Path) -> None:
    node = HardhatNode(tmp_path, port=free_port())
    node.start()
    try:
        w3 = Web3(Web3.HTTPProvider(node.url))
        rpc(w3, "hardhat_mine", ["0x5"])
        assert w3.eth.block_number == 5
    finally:
        assert node.stop()
    assert not rpc_answers(node.url)
    node.start()
    try:
        assert Web3(Web3.HTTPProvider(node.url)).eth.block_number == 0
    finally:
        node.stop()


@pytest.mark.slow
def test_a_hardhat_node_with_a_block_time_mines_on_its_interval(tmp_path: Path) -> None:
    node = HardhatNode(tmp_path, port=free_port(), block_time=0.3, gas_limit=45_000_000)
    node.start()
    try:
        w3 = Web3(Web3.HTTPProvider(node.url))
        assert rpc(w3, "hardhat_getAutomine")["result"] is False
        wait_until(lambda: w3.eth.block_number >= 3, timeout=30, what="three blocks mined on the interval")
        assert w3.eth.get_block("latest")["gasLimit"] == 45_000_000
    finally:
        node.stop()


def test_a_hardhat_node_that_cannot_start_says_why(tmp_path: Path) -> None:
    with pytest.raises(NodeError, match=r"hardhat exited with code 1: .*nosuchfork"):
        HardhatNode(tmp_path, port=free_port(), hardfork="nosuchfork").start()
