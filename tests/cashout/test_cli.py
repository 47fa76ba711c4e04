"""The cash-out commands end to end: deploy in funded mode, deposit, bind, set limits, withdraw
from the player's own key, settle a payout, take the surplus; bad input is one `error:` line."""

from __future__ import annotations

from pathlib import Path

import pytest
from eth_account import Account
from web3 import Web3

from ledger.cashout.ops import cashout_state, token_balance
from ledger.cashout.tokens import deploy_token
from ledger.chain.keystore import load_keystore
from ledger.chain.node import LocalNode
from ledger.chain.sender import Sender
from tests.cli.conftest import PASSWORD, Cli, failed_cleanly, make_cli
from tests.cli.test_entry_commands import client_of
from tests.conftest import fund

PLAYER = "0x" + "cd" * 32


@pytest.fixture
def cli(tmp_path: Path, anvil: LocalNode, w3: Web3, monkeypatch: pytest.MonkeyPatch) -> Cli:
    return make_cli(tmp_path, anvil, w3, monkeypatch)


@pytest.fixture
def funded(cli: Cli, tmp_path: Path, w3: Web3) -> tuple[Cli, str]:
    operator = load_keystore(cli.data_dir / "keys" / "operator.json", PASSWORD)
    sender = Sender(w3, operator)
    token = deploy_token(sender)
    mint = w3.eth.contract(address=Web3.to_checksum_address(token), abi=[
        {"type": "function", "name": "mint", "stateMutability": "nonpayable", "outputs": [],
         "inputs": [{"name": "to", "type": "address"}, {"name": "amount", "type": "uint256"}]}])  # fmt: skip
    sender.transact(token, bytes.fromhex(mint.encode_abi("mint", args=[operator.address, 10**9])[2:]))
    cli.ok("deploy", "--grant", "issuer,payer,pauser,kyc", "--token", token, "--funded")
    terms = tmp_path / "terms.txt"
    terms.write_text("Cash-out terms.\n", encoding="utf-8")
    cli.ok("campaign", "create", "welcome", "--budget", "1000000", "--terms", str(terms))
    return cli, token


def test_an_operator_funds_binds_and_a_player_cashes_out(
    funded: tuple[Cli, str], tmp_path: Path, w3: Web3
) -> None:
    cli, token = funded
    failed_cleanly(cli("issue", "welcome", PLAYER, "500", "-r", "r-1"), "CashoutReservesShort")
    assert "reserves   2000" in cli.ok("reserves", "deposit", "2000")
    cli.ok("issue", "welcome", PLAYER, "500", "-r", "r-1")
    wallet = Account.create()
    fund(w3, wallet.address)
    cli.ok("kyc", "bind", PLAYER, wallet.address, "--attestation", "kyc-case-77")
    assert "1000 a withdrawal" in cli.ok("limits", "set", "--per-withdrawal", "1000", "--per-day", "1500")
    key_file = tmp_path / "player.key"
    key_file.write_text(wallet.key.hex(), encoding="utf-8")
    assert "withdrew 200" in cli.ok("withdraw", PLAYER, "200", "--key-file", str(key_file))
    assert "already landed" in cli.ok("withdraw", PLAYER, "200", "--nonce", "0", "--key-file", str(key_file))
    assert "paid 50" in cli.ok("settle", PLAYER, "50", "-r", "push-1")
    assert "nothing was sent" in cli.ok("settle", PLAYER, "50", "-r", "push-1")
    client = client_of(cli)
    assert token_balance(client, token, wallet.address) == 250
    state = cashout_state(client)
    assert (state.reserves, state.liability) == (1_750, 250)
    shown = cli.ok("reserves", "show")
    assert "surplus    1500" in shown and "coverage   700.00%" in shown
    failed_cleanly(cli("reserves", "withdraw-surplus", "1501", "--to", cli.address), "CashoutSurplusExceeded")
    assert "sent 1500" in cli.ok("reserves", "withdraw-surplus", "1500", "--to", cli.address)
    failed_cleanly(
        cli("withdraw", PLAYER, "10", "--key-file", str(tmp_path / "missing")),
        "cannot read the key file",
    )
    failed_cleanly(cli("withdraw", PLAYER, "10"), "no player key")
    failed_cleanly(
        cli("withdraw", PLAYER, "10", "--nonce", "x", "--key-file", str(key_file)), "not a whole number"
    )
    failed_cleanly(
        cli("withdraw", PLAYER, "10", env={"LEDGER_PLAYER_PRIVATE_KEY": "0x" + "11" * 32}),
        "CashoutNotBound",
    )
    failed_cleanly(cli("kyc", "bind", PLAYER, "0x1234", "--attestation", "k"), "not an address")
    failed_cleanly(
        cli("limits", "set", "--per-withdrawal", "-5", "--per-day", "1"), "not a positive whole number"
    )


def test_deploy_refuses_funded_mode_without_a_token_contract(cli: Cli) -> None:
    failed_cleanly(cli("deploy", "--funded"), "--funded needs --token")
    failed_cleanly(cli("deploy", "--token", "0x" + "12" * 20), "is not a contract")
    assert "record-only" in cli.ok("deploy") and "record-only" in cli.ok("reserves", "show")
