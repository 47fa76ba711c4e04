"""What an operator is told: the roles to grant after a deploy, what a slow command waits for,
and no progress bar before the checks that would refuse the run."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from ledger.chain.node import LocalNode
from ledger.chain.provider import web3_on
from tests.cli.conftest import Cli, failed_cleanly, make_cli
from tests.conftest import free_port

PLAYER = "0x" + "ab" * 32


def test_deploy_names_the_grants_to_run_or_grants_them_at_once(cli: Cli) -> None:
    output = cli.ok("deploy")
    for role in ("issuer", "payer", "pauser"):
        assert f"ledger roles grant {role} {cli.address}" in output
    assert "yes" not in cli.ok("roles", "show").split("issuer")[1].splitlines()[0]
    granted = cli.ok("deploy", "--force", "--grant", "issuer,payer,pauser")
    assert "granted issuer" in granted and "ledger roles grant" not in granted
    shown = cli.ok("roles", "show")
    assert all(f"{role:<7} yes" in shown for role in ("admin", "issuer", "payer", "pauser"))
    failed_cleanly(cli("deploy", "--force", "--grant", "issuer,owner"), "--grant takes roles")


def test_issue_batch_checks_roles_before_showing_a_progress_bar(cli: Cli, tmp_path: Path) -> None:
    cli.ok("deploy", "--grant", "payer")
    terms = tmp_path / "t.txt"
    terms.write_text("terms", encoding="utf-8")
    cli.ok("campaign", "create", "welcome", "--budget", "100", "--terms", str(terms))
    path = tmp_path / "rows.csv"
    path.write_text(
        "player,amount,reference\n" + "".join(f"0x{i:064x},1,r{i}\n" for i in range(1, 11)), "utf-8"
    )
    result = cli("issue-batch", str(path), "--campaign", "welcome")
    failed_cleanly(result, "lacks the issuer role: `ledger roles grant issuer")
    assert "issuing" not in result.stdout and "0/10" not in result.stdout


@pytest.fixture
def slow_cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Cli]:
    node = LocalNode(tmp_path / "anvil", port=free_port(), persist=False, block_time=3)
    node.start()
    yield make_cli(tmp_path, node, web3_on(node.url), monkeypatch)
    node.stop()


@pytest.mark.slow
def test_a_command_that_waits_for_a_block_says_what_it_waits_for(slow_cli: Cli) -> None:
    result = slow_cli("deploy")
    assert result.exit_code == 0, result.output
    assert "waiting for the transaction 0x" in result.stderr and "to be mined" in result.stderr
