"""The managed anvil keeps what it writes inside its own directory, cleans up after itself and
can record every opcode for the gas breakdown."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from ledger.chain.node import LocalNode
from tests.conftest import free_port, wait_until


@pytest.mark.slow
def test_past_states_are_cached_in_the_node_directory_and_removed_when_it_stops(tmp_path: Path) -> None:
    node = LocalNode(tmp_path / "node", port=free_port(), persist=False)
    node.start()
    try:
        # More blocks than anvil keeps in memory, so it starts writing past states to disk (from a
        # task of its own: the files may follow the reply). Mining them takes a while under load.
        reply = httpx.post(
            node.url,
            json={"jsonrpc": "2.0", "id": 1, "method": "anvil_mine", "params": ["0x5dc"]},
            timeout=120,
        )
        assert "error" not in reply.json(), reply.text
        wait_until(
            lambda: node.state_cache.is_dir() and any(node.state_cache.iterdir()),
            timeout=30,
            what="past states written to the node's cache",
        )
    finally:
        assert node.stop()
    assert not node.state_cache.exists()


def test_a_killed_nodes_cache_is_removed_by_the_next_start(tmp_path: Path) -> None:
    node = LocalNode(tmp_path / "node", port=free_port(), persist=False)
    leftover = node.state_cache / "anvil-state-left-behind"
    leftover.mkdir(parents=True)
    node.start()
    try:
        assert not leftover.exists()
    finally:
        node.stop()


def _struct_logs_of_a_contract_creation(node: LocalNode) -> list[dict[str, object]]:
    def rpc(method: str, params: list[object]) -> object:
        reply = httpx.post(
            node.url, json={"jsonrpc": "2.0", "id": 1, "method": method, "params": params}, timeout=60
        ).json()
        assert "error" not in reply, reply
        return reply["result"]

    sender = rpc("eth_accounts", [])[0]  # type: ignore[index]
    # init code: PUSH1 1, PUSH1 0, SSTORE, STOP
    tx_hash = rpc("eth_sendTransaction", [{"from": sender, "data": "0x600160005500"}])
    trace = rpc("debug_traceTransaction", [tx_hash, {"disableStack": True, "disableMemory": True}])
    return trace["structLogs"]  # type: ignore[index,no-any-return]


def test_steps_tracing_records_every_opcode_for_the_gas_breakdown(tmp_path: Path) -> None:
    for tracing in (False, True):
        node = LocalNode(tmp_path / f"node-{tracing}", port=free_port(), persist=False, steps_tracing=tracing)
        node.start()
        try:
            ops = [step["op"] for step in _struct_logs_of_a_contract_creation(node)]
        finally:
            node.stop()
        assert ops == (["PUSH1", "PUSH1", "SSTORE", "STOP"] if tracing else [])
