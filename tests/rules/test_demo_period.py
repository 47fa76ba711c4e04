"""The demo's period on published rules: committed and paid once, resumable, and each regular's
period file verifies with `ledger verify --recompute`."""

from __future__ import annotations

import secrets
from pathlib import Path

import pytest
from typer.testing import CliRunner

from ledger.chain.node import LocalNode
from ledger.cli.main import app
from ledger.config import Settings
from ledger.demo.chain import DemoChain
from ledger.demo.rules_period import PERIOD, write_rules_period
from ledger.encoding import text_to_bytes
from ledger.rules import onchain
from tests.conftest import LedgerHarness


def test_the_demo_period_is_committed_paid_once_and_verifiable(
    ledger: LedgerHarness, anvil: LocalNode, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ledger.campaign("weekly-cashback")
    chain = DemoChain(
        ledger.client, ledger.sender, [secrets.token_bytes(32) for _ in range(30)],
        [secrets.token_bytes(32) for _ in range(5)], ledger.deploy_block,
    )  # fmt: skip
    cfg, secret, said = Settings(data_dir=tmp_path / "data"), secrets.token_bytes(32), []
    files = write_rules_period(cfg, chain, secret, said.append)
    committed = onchain.read_commitment(ledger.client, text_to_bytes(PERIOD))
    assert committed.issued == committed.total > 0 and committed.leaf_count == 35
    nonce = ledger.w3.eth.get_transaction_count(ledger.account.address)
    write_rules_period(cfg, chain, secret, said.append)  # a resumed demo sends nothing
    assert ledger.w3.eth.get_transaction_count(ledger.account.address) == nonce
    assert f"period {PERIOD}, 35 players" in said[0]
    monkeypatch.chdir(tmp_path)
    for name, player in (("regular-01", chain.regulars[0]), ("regular-05", chain.regulars[4])):
        args = ["verify", "0x" + player.hex(), "--recompute", str(files / f"{name}.json"), "--contract", ledger.client.address]  # fmt: skip
        result = CliRunner().invoke(app, args, env={"LEDGER_RPC_URL": anvil.url})
        assert result.exit_code == 0 and "VERIFIED: period cashback-rules-week-8" in result.stdout, (
            result.output
        )
