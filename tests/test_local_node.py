"""The managed anvil keeps what it writes inside its own directory and cleans up after itself."""

from __future__ import annotations

from pathlib import Path

import httpx

from ledger.chain.node import LocalNode
from tests.conftest import free_port


def test_past_states_are_cached_in_the_node_directory_and_removed_when_it_stops(tmp_path: Path) -> None:
    node = LocalNode(tmp_path / "node", port=free_port(), persist=False)
    node.start()
    try:
        # More blocks than anvil keeps in memory, so it starts writing past states to disk.
        reply = httpx.post(
            node.url, json={"jsonrpc": "2.0", "id": 1, "method": "anvil_mine", "params": ["0x5dc"]}
        )
        assert "error" not in reply.json(), reply.text
        assert node.state_cache.is_dir() and any(node.state_cache.iterdir())
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
