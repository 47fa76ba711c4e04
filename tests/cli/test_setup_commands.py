"""deploy, account, roles and campaign commands."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest
from eth_utils.crypto import keccak

from tests.cli.conftest import PASSWORD, Cli, failed_cleanly


def test_deploy_checks_the_code_and_records_the_deployment(cli: Cli) -> None:
    output = cli.ok("deploy")
    assert "runtime code matches the artifact" in output
    record = json.loads((cli.data_dir / "deployments" / "31337.json").read_text())
    assert record["chain_id"] == 31337 and record["deployer"] == cli.address
    assert bytes(cli.w3.eth.get_code(record["address"]))
    assert "already deployed" in cli.ok("deploy")


@pytest.mark.slow
def test_account_new_creates_an_encrypted_keystore_and_never_prints_the_key(cli: Cli, tmp_path: Path) -> None:
    keystore = tmp_path / "second.json"
    result = cli("account", "new", env={"LEDGER_KEYSTORE": str(keystore)})
    assert result.exit_code == 0, result.output
    data = json.loads(keystore.read_text())
    assert data["crypto"]["kdf"] == "scrypt" and stat.S_IMODE(keystore.stat().st_mode) == 0o600
    assert data["address"].lower() in result.stdout.lower()
    assert PASSWORD not in result.output
    failed_cleanly(cli("account", "new", env={"LEDGER_KEYSTORE": str(keystore)}), "refusing to overwrite")


def test_a_setting_that_does_not_parse_is_one_error_line_not_a_traceback(cli: Cli) -> None:
    result = cli("node", "status", env={"LEDGER_NODE_PORT": "eighty"})
    failed_cleanly(result, "LEDGER_NODE_PORT")
    assert result.exit_code == 2


def test_account_show_prints_address_balance_and_roles(deployed: Cli) -> None:
    output = deployed.ok("account", "show")
    assert deployed.address in output and "ETH on chain 31337" in output
    assert "admin, issuer, payer, pauser" in output


def test_a_wrong_keystore_password_is_refused_and_sends_nothing(deployed: Cli) -> None:
    before = deployed.nonce()
    result = deployed(
        "issue", "welcome", "0x" + "ab" * 32, "5", "-r", "x", env={"LEDGER_KEYSTORE_PASSWORD": "nope"}
    )
    failed_cleanly(result, "wrong password")
    assert deployed.nonce() == before


def test_roles_grant_show_and_revoke(deployed: Cli) -> None:
    other = "0x" + "42" * 20
    assert "granted payer" in deployed.ok("roles", "grant", "payer", other)
    assert "already has" in deployed.ok("roles", "grant", "payer", other)
    shown = deployed.ok("roles", "show", other)
    assert "payer   yes" in shown and "issuer  no" in shown
    assert "revoked payer" in deployed.ok("roles", "revoke", "payer", other)
    assert "payer   no" in deployed.ok("roles", "show", other)
    failed_cleanly(deployed("roles", "grant", "king", other), "unknown role")


def test_campaign_create_keeps_the_terms_by_their_hash_and_show_reads_the_chain(
    deployed: Cli, tmp_path: Path
) -> None:
    terms = tmp_path / "cashback.txt"
    terms.write_bytes(b"5% cashback, paid weekly.\n")
    output = deployed.ok(
        "campaign", "create", "cashback", "--budget", "500", "--terms", str(terms), "--end", "+30d"
    )
    digest = "0x" + keccak(b"5% cashback, paid weekly.\n").hex()
    assert digest in output
    assert (deployed.data_dir / "terms" / f"{digest}.txt").read_bytes() == terms.read_bytes()
    shown = deployed.ok("campaign", "show", "cashback")
    assert "budget    500" in shown and "remaining 500" in shown and "status    open" in shown
    assert "closed campaign cashback" in deployed.ok("campaign", "close", "cashback")
    assert "status    closed" in deployed.ok("campaign", "show", "cashback")


def test_campaign_mistakes_are_refused_before_sending(deployed: Cli, tmp_path: Path) -> None:
    before = deployed.nonce()
    terms = tmp_path / "t.txt"
    terms.write_text("t")
    failed_cleanly(
        deployed("campaign", "create", "welcome", "--budget", "5", "--terms", str(terms)), "CampaignExists"
    )
    failed_cleanly(
        deployed("campaign", "create", "x", "--budget", "-5", "--terms", str(terms)),
        "not a positive whole number",
    )
    failed_cleanly(
        deployed("campaign", "create", "x", "--budget", "5", "--terms", "missing.txt"), "cannot read terms"
    )
    failed_cleanly(
        deployed("campaign", "create", "x", "--budget", "5", "--terms", str(terms), "--end", "soon"),
        "is not now",
    )
    failed_cleanly(deployed("campaign", "show", "nobody"), "does not exist")
    assert deployed.nonce() == before
