"""issue, issue-batch, payout, reverse, expire, pause and player-key, and every bad input."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from pathlib import Path

import pytest
from web3 import Web3

from ledger.chain.client import LedgerClient
from ledger.chain.deployments import load_deployment
from ledger.chain.keystore import load_keystore
from ledger.chain.node import LocalNode
from ledger.chain.sender import Sender
from ledger.encoding import pack_rows, text_to_bytes
from ledger.ops.csvfile import read_batch
from tests.cli.conftest import PASSWORD, Cli, deploy_cli, failed_cleanly, make_cli
from tests.conftest import free_port

PLAYER = "0x" + "ab" * 32


def client_of(cli: Cli) -> LedgerClient:
    deployment = load_deployment(cli.data_dir / "deployments", 31337)
    assert deployment is not None
    return LedgerClient(cli.w3, deployment.address)


def batch_file(tmp_path: Path, count: int, amount: int = 10) -> tuple[Path, list[str]]:
    players = ["0x" + secrets.token_hex(32) for _ in range(count)]
    lines = "".join(f"{p},{amount},row-{i}\n" for i, p in enumerate(players))
    path = tmp_path / f"batch-{count}.csv"
    path.write_text("player,amount,reference\n" + lines, encoding="utf-8")
    return path, players


def test_issue_payout_expire_and_reverse_move_the_balance(deployed: Cli) -> None:
    assert "entry 1" in deployed.ok("issue", "welcome", PLAYER, "500", "-r", "order-1")
    assert "entry 2" in deployed.ok("payout", PLAYER, "120", "-r", "wire-1")
    assert "entry 3" in deployed.ok("expire", PLAYER, "30", "-r", "exp-1", "--reason", "inactive")
    assert "reversed 100 of reward 1" in deployed.ok("reverse", "1", "--reason", "fraud", "--amount", "100")
    client = client_of(deployed)
    assert client.player(bytes.fromhex(PLAYER[2:])).balance == 500 - 120 - 30 - 100
    totals = client.totals()
    assert (totals.issued, totals.paid, totals.expired, totals.reversed) == (500, 120, 30, 100)


@pytest.fixture(scope="module")
def untouched(tmp_path_factory: pytest.TempPathFactory, anvil: LocalNode, w3: Web3) -> Iterator[Cli]:
    """One deployed ledger with no entries, for refusals: each case checks that it sent nothing."""
    with pytest.MonkeyPatch.context() as monkeypatch:
        home = tmp_path_factory.mktemp("refusals")
        yield deploy_cli(make_cli(home, anvil, w3, monkeypatch), home)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("issue", "nowhere", PLAYER, "5", "-r", "a"), "CampaignUnknown: campaign nowhere does not exist"),
        (("issue", "welcome", PLAYER, "1000001", "-r", "b"), "CampaignBudgetExceeded"),
        (("issue", "welcome", "0x1234", "5", "-r", "c"), "player key '0x1234' is malformed"),
        (("issue", "-r", "d", "welcome", PLAYER, "--", "-5"), "not a positive whole number"),
        (("issue", "welcome", PLAYER, "2.5", "-r", "e"), "not a positive whole number"),
        (("issue", "welcome", PLAYER, "5", "-r", "x" * 33), "longer than 32 bytes"),
        (("payout", PLAYER, "1", "-r", "f"), "PlayerInsufficientBalance"),
        (("reverse", "99", "--reason", "r"), "entry 99 does not exist"),
        (("expire", PLAYER, "1", "-r", "g", "--reason", "r"), "PlayerInsufficientBalance"),
    ],
)
def test_bad_input_is_refused_with_one_line_and_sends_nothing(
    untouched: Cli, args: tuple[str, ...], message: str
) -> None:
    before = untouched.nonce()
    failed_cleanly(untouched(*args), message)
    assert untouched.nonce() == before


def test_a_repeated_write_is_recorded_once_and_other_content_is_refused(deployed: Cli) -> None:
    deployed.ok("issue", "welcome", PLAYER, "5", "-r", "once")
    deployed.ok("payout", PLAYER, "2", "-r", "wire-once")
    deployed.ok("expire", PLAYER, "1", "-r", "exp-once", "--reason", "old")
    before = deployed.nonce()
    assert "already recorded as entry 1" in deployed.ok("issue", "welcome", PLAYER, "5", "-r", "once")
    assert "already recorded as entry 2" in deployed.ok("payout", PLAYER, "2", "-r", "wire-once")
    assert "already recorded as entry 3" in deployed.ok(
        "expire", PLAYER, "1", "-r", "exp-once", "--reason", "old"
    )
    refused = [
        deployed("issue", "welcome", PLAYER, "6", "-r", "once"),
        deployed("payout", PLAYER, "1", "-r", "wire-once"),
        deployed("expire", PLAYER, "1", "-r", "exp-once", "--reason", "other"),
        deployed("issue", "welcome", PLAYER, "1", "-r", "wire-once"),  # a payout's reference
    ]
    for result, seq in zip(refused, (1, 2, 3, 2), strict=True):
        failed_cleanly(result, f"entry {seq}")
        assert result.exit_code == 9
    assert deployed.nonce() == before
    client = client_of(deployed)
    assert client.player(bytes.fromhex(PLAYER[2:])).balance == 5 - 2 - 1
    assert client.chain_state()[0] == 3


def test_a_missing_role_is_refused_by_name(deployed: Cli) -> None:
    deployed.ok("roles", "revoke", "payer", deployed.address)
    deployed.ok("issue", "welcome", PLAYER, "5", "-r", "r1")
    failed_cleanly(deployed("payout", PLAYER, "1", "-r", "p1"), "lacks the payer role")


def test_an_unreachable_node_is_reported_clearly(deployed: Cli) -> None:
    result = deployed(
        "issue", "welcome", PLAYER, "5", "-r", "z", env={"LEDGER_RPC_URL": f"http://127.0.0.1:{free_port()}"}
    )
    failed_cleanly(result, "cannot reach the node")
    assert result.exit_code == 3


def test_pause_stops_entries_until_unpause(deployed: Cli) -> None:
    assert "paused" in deployed.ok("pause")
    failed_cleanly(deployed("issue", "welcome", PLAYER, "5", "-r", "p"), "the ledger is paused")
    deployed.ok("unpause")
    deployed.ok("issue", "welcome", PLAYER, "5", "-r", "p")


def test_player_key_derives_the_same_key_for_the_same_id(deployed: Cli) -> None:
    env = {"LEDGER_PLAYER_KEY_SECRET": "a-long-operator-secret"}
    first = deployed("player-key", "customer-1001", env=env)
    assert first.exit_code == 0 and first.stdout.startswith("0x") and len(first.stdout.strip()) == 66
    assert deployed("player-key", "customer-1001", env=env).stdout == first.stdout
    assert deployed("player-key", "customer-1002", env=env).stdout != first.stdout
    failed_cleanly(deployed("player-key", "customer-1001"), "LEDGER_PLAYER_KEY_SECRET")


def test_issue_batch_issues_every_row_once_and_a_rerun_skips_everything(
    deployed: Cli, tmp_path: Path
) -> None:
    path, players = batch_file(tmp_path, 250)
    output = deployed.ok("issue-batch", str(path), "--campaign", "welcome", "--rows", "100")
    assert "250 rows issued in 3 batch(es)" in output
    rerun = deployed.ok("issue-batch", str(path), "--campaign", "welcome")
    assert "0 rows issued" in rerun and "250 rows had landed before" in rerun
    client = client_of(deployed)
    assert client.campaign(text_to_bytes("welcome")).issued == 2_500
    assert all(client.player(bytes.fromhex(p[2:])).balance == 10 for p in players[::25])


@pytest.mark.slow
def test_a_partly_applied_batch_run_resumes_without_issuing_twice(deployed: Cli, tmp_path: Path) -> None:
    path, players = batch_file(tmp_path, 230, amount=7)
    rows = read_batch(path).rows
    cid = text_to_bytes("welcome")
    # the first 100 rows landed earlier, in a batch of another id (an older run, another tool)
    client = client_of(deployed)
    sender = Sender(deployed.w3, load_keystore(deployed.data_dir / "keys" / "operator.json", PASSWORD))
    sender.transact(
        client.address, client.encode("issueBatch", text_to_bytes("older-run"), cid, pack_rows(rows[:100]))
    )

    output = deployed.ok("issue-batch", str(path), "--campaign", "welcome", "--rows", "50")
    assert "130 rows issued in 3 batch(es)" in output and "100 rows had landed before" in output
    assert client.campaign(cid).issued == 230 * 7
    assert {client.player(bytes.fromhex(p[2:])).balance for p in players} == {7}


def test_an_invalid_batch_file_sends_nothing(deployed: Cli, tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(f"player,amount,reference\n{PLAYER},5,a\n0x12,5,b\n{PLAYER},-1,c\n", encoding="utf-8")
    before = deployed.nonce()
    result = deployed("issue-batch", str(path), "--campaign", "welcome")
    failed_cleanly(result, "2 invalid row(s), nothing was sent")
    assert "line 3" in result.stderr and "line 4" in result.stderr
    assert deployed.nonce() == before


def test_a_batch_over_the_remaining_budget_sends_nothing(deployed: Cli, tmp_path: Path) -> None:
    path, _ = batch_file(tmp_path, 20, amount=60_000)
    before = deployed.nonce()
    failed_cleanly(deployed("issue-batch", str(path), "--campaign", "welcome"), "left of its budget")
    assert deployed.nonce() == before
