"""Running the `ledger` command in-process against the session's anvil."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from click.testing import Result
from typer.testing import CliRunner
from web3 import Web3

from ledger.chain.keystore import create_keystore
from ledger.chain.node import LocalNode
from ledger.cli.main import app
from tests.conftest import fund

PASSWORD = "correct horse battery staple"


@dataclass
class Cli:
    """The `ledger` command with its environment: a data dir, a keystore, the test node."""

    w3: Web3
    data_dir: Path
    address: str
    env: dict[str, str] = field(default_factory=dict)

    def __call__(self, *args: str, env: dict[str, str] | None = None) -> Result:
        runner = CliRunner()
        return runner.invoke(app, list(args), env={**self.env, **(env or {})}, catch_exceptions=True)

    def ok(self, *args: str) -> str:
        result = self(*args)
        assert result.exit_code == 0, f"ledger {' '.join(args)} failed: {result.output}"
        return result.stdout

    def nonce(self) -> int:
        return int(self.w3.eth.get_transaction_count(self.w3.to_checksum_address(self.address)))


def failed_cleanly(result: Result, expected: str) -> None:
    """A refusal: non-zero exit, one `error:` line naming the problem, no traceback."""
    assert result.exit_code != 0, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert lines and lines[0].startswith("error: "), result.stderr
    assert expected in result.stderr, result.stderr
    assert "Traceback" not in result.output + result.stderr


def make_cli(tmp_path: Path, anvil: LocalNode, w3: Web3, monkeypatch: pytest.MonkeyPatch) -> Cli:
    for name in list(os.environ):
        if name.startswith("LEDGER_") and name != "LEDGER_TEST_DATABASE_URL":
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)
    data_dir = tmp_path / "data"
    # a light scrypt cost keeps the suite fast; `ledger account new` uses the library default
    address = create_keystore(data_dir / "keys" / "operator.json", PASSWORD, iterations=2**12)
    fund(w3, address)
    env = {
        "LEDGER_DATA_DIR": str(data_dir),
        "LEDGER_RPC_URL": anvil.url,
        "LEDGER_KEYSTORE_PASSWORD": PASSWORD,
    }
    return Cli(w3, data_dir, address, env)


def deploy_cli(cli: Cli, tmp_path: Path) -> Cli:
    """The CLI with a deployed ledger, every role, and an open `welcome` campaign (budget 1,000,000)."""
    cli.ok("deploy", "--grant", "issuer,payer,pauser")
    terms = tmp_path / "welcome.txt"
    terms.write_text("Welcome bonus: 100 points on sign-up.\n", encoding="utf-8")
    cli.ok("campaign", "create", "welcome", "--budget", "1000000", "--terms", str(terms))
    return cli


@pytest.fixture
def cli(tmp_path: Path, anvil: LocalNode, w3: Web3, monkeypatch: pytest.MonkeyPatch) -> Iterator[Cli]:
    yield make_cli(tmp_path, anvil, w3, monkeypatch)


@pytest.fixture
def deployed(cli: Cli, tmp_path: Path) -> Cli:
    """The CLI with a deployed ledger, every role, and an open `welcome` campaign (budget 1,000,000)."""
    return deploy_cli(cli, tmp_path)
