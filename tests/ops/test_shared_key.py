"""Two processes signing with the same key against one anvil: both finish, nothing lands twice."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from eth_account import Account
from eth_account.signers.local import LocalAccount

from ledger.chain.node import LocalNode
from ledger.chain.provider import web3_on
from tests.conftest import LedgerHarness, deploy_on, free_port, fund

ROOT = Path(__file__).resolve().parents[2]
COUNT = 40


@pytest.fixture(params=[None, 1.0], ids=["automine", "one-second-blocks"])
def node(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[LocalNode]:
    """An anvil of its own: mining each transaction at once, or a block a second (where a taken
    nonce shows as 'replacement transaction underpriced' rather than 'nonce too low')."""
    anvil = LocalNode(tmp_path / "anvil", port=free_port(), persist=False, block_time=request.param)
    anvil.start()
    yield anvil
    anvil.stop()


def worker(
    node: LocalNode, account: LocalAccount, ledger: LedgerHarness, prefix: str
) -> subprocess.Popen[str]:
    args = [node.url, account.key.hex(), ledger.client.address, "shared", prefix, str(COUNT)]
    return subprocess.Popen(
        [sys.executable, "-m", "tests.ops.sender_worker", *args],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip


@pytest.mark.slow
def test_two_processes_with_one_key_both_land_every_transaction_once(node: LocalNode) -> None:
    w3 = web3_on(node.url)
    account: LocalAccount = Account.create()
    fund(w3, account.address)
    ledger = deploy_on(w3, account)
    ledger.campaign("shared")
    processes = [worker(node, account, ledger, prefix) for prefix in ("a", "b")]
    outputs = [p.communicate(timeout=240) for p in processes]
    for process, (stdout, stderr) in zip(processes, outputs, strict=True):
        assert process.returncode == 0, stderr
        assert stdout.strip() == f"done {COUNT}"
    count, _ = ledger.client.chain_state()
    assert count == 2 * COUNT
    assert ledger.client.player(bytes([7]) * 32).balance == 2 * COUNT
    used = ledger.client.references_used(
        [f"{p}-{i}".encode().ljust(32, b"\0") for p in "ab" for i in range(COUNT)]
    )
    assert all(used)
