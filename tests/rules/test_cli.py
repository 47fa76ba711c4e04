"""`ledger rules` and `ledger period` end to end on anvil, and their refusals: one `error:` line,
a non-zero exit, nothing sent."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from web3 import Web3

from ledger.chain.client import LedgerClient
from ledger.chain.deployments import load_deployment
from ledger.chain.keystore import load_keystore
from ledger.chain.node import LocalNode
from ledger.chain.sender import Sender
from ledger.cli.period import load_period
from ledger.encoding import Row
from ledger.rules import onchain
from ledger.rules.activity import write_activity
from ledger.rules.document import validate_rules
from tests.cli.conftest import PASSWORD, Cli, deploy_cli, failed_cleanly, make_cli
from tests.rules.world import activity, rules_doc


@pytest.fixture
def cli(tmp_path: Path, anvil: LocalNode, w3: Web3, monkeypatch: pytest.MonkeyPatch) -> Cli:
    return make_cli(tmp_path, anvil, w3, monkeypatch)


@pytest.fixture
def files(tmp_path: Path) -> tuple[Path, Path]:
    rules, csv = tmp_path / "rules.json", tmp_path / "activity.csv"
    rules.write_text(json.dumps(rules_doc(), indent=2))
    write_activity(csv, activity(), rules_doc())
    return rules, csv


def test_rules_check_and_hash_print_the_canonical_hash(cli: Cli, files: tuple[Path, Path]) -> None:
    expected = validate_rules(rules_doc()).hash_hex
    assert cli.ok("rules", "hash", str(files[0])).strip() == expected
    shown = cli.ok("rules", "check", str(files[0]))
    assert (
        "valid:" in shown
        and "cashback (cashback), welcome_release (wagering_release)" in shown
        and expected in shown
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            '{"format": "rewards-ledger/rules@1", "categories": [], "events": [], "rules": [], "x": 1}',
            "'x' was unexpected",
        ),
        ("{not json", "not valid JSON"),
        (json.dumps({**rules_doc(), "rules": [{"kind": "lottery", "id": "x"}]}), "'lottery' is not one of"),
        (
            json.dumps(
                {
                    **rules_doc(),
                    "rules": [{"kind": "cashback", "id": "c", "percent_bp": -1, "min": "0", "cap": "1"}],
                }
            ),
            "-1 is less than the minimum of 0",
        ),
        (
            json.dumps(
                {
                    **rules_doc(),
                    "rules": [{"kind": "cashback", "id": "c", "percent_bp": 1, "min": "9", "cap": "1"}],
                }
            ),
            "cap 1 is below the minimum 9",
        ),
    ],
)
def test_a_broken_rules_file_is_refused_in_one_line(
    cli: Cli, tmp_path: Path, text: str, expected: str
) -> None:
    path = tmp_path / "bad.json"
    path.write_text(text)
    failed_cleanly(cli("rules", "check", str(path)), expected)
    failed_cleanly(cli("rules", "hash", str(path)), expected)


BAD_ACTIVITY = [
    ("player,wager_slots,wager_live,bonus\n", "unknown column(s) bonus"),
    ("player,wager_slots\n", "missing column(s) wager_live"),
    ("player,wager_slots,wager_live\n0x12,1,2\n", "line 2: player '0x12' is not 0x and 64 hex digits"),
    (
        f"player,wager_slots,wager_live\n0x{'a' * 64},-5,2\n",
        "line 2: wager '-5' is not a non-negative integer",
    ),
    (
        f"player,wager_slots,wager_live\n0x{'a' * 64},1.5,2\n",
        "line 2: wager '1.5' is not a non-negative integer",
    ),
    (
        f"player,wager_slots,wager_live,tier\n0x{'a' * 64},1,2,gold\n",
        "line 2: tier 'gold' is not one of the rules' tiers",
    ),
    (
        f"player,wager_slots,wager_live\n0x{'a' * 64},1,2\n0x{'a' * 64},3,4\n",
        "line 3: player 0x" + "a" * 64 + " appears twice",
    ),
    (f"player,wager_slots,wager_live\n0x{'a' * 64},1\n", "line 2: 2 fields where the header has 3"),
    ("", "the file is empty"),
]


@pytest.mark.parametrize(("text", "expected"), BAD_ACTIVITY)
def test_bad_activity_is_refused_naming_the_line(cli: Cli, files: tuple[Path, Path], tmp_path: Path, text: str, expected: str) -> None:  # fmt: skip
    path = tmp_path / "bad.csv"
    path.write_text(text)
    args = [
        "period",
        "compute",
        str(path),
        "--campaign",
        "welcome",
        "--period",
        "w1",
        "--rules",
        str(files[0]),
    ]
    failed_cleanly(cli(*args), expected)


def test_a_period_goes_from_activity_to_a_verified_reward_through_the_cli(
    cli: Cli, files: tuple[Path, Path], tmp_path: Path
) -> None:
    deploy_cli(cli, tmp_path)
    rules, csv = files
    out = tmp_path / "week-1"
    cli.ok("period", "compute", str(csv), "--campaign", "welcome", "--period", "week-1", "--rules", str(rules), "--out", str(out))  # fmt: skip
    failed_cleanly(cli("period", "commit", str(out)), "are not a rules version of welcome")
    assert "rules version 1 of welcome" in cli.ok("rules", "set", "welcome", str(rules))
    assert "committed period week-1" in cli.ok("period", "commit", str(out))
    summary = json.loads((out / "period.json").read_text())
    assert f"issued {summary['total']} of {summary['total']}" in cli.ok(
        "period", "issue", str(out), "--rows-per-batch", "2"
    )
    before = cli.nonce()
    assert f"issued {summary['total']} of" in cli.ok(
        "period", "issue", str(out), "--rows-per-batch", "2"
    )  # a re-run sends nothing
    assert cli.nonce() == before
    player = (out / "activity.csv").read_text().splitlines()[1].split(",")[0]
    cli.ok("period", "proof", str(out), player, "--out", str(tmp_path / "mine.json"))
    shown = cli.ok("verify", player, "--recompute", str(tmp_path / "mine.json"), "--rules", str(rules))
    assert shown.startswith("VERIFIED: period week-1: reward 2100 recomputed")
    passed = cli.ok(
        "audit", "recompute", str(out / "activity.csv"), "--period", "week-1", "--rules", str(rules)
    )
    assert passed.startswith("PASS: period week-1: 6 leaves")


def test_a_period_directory_edited_after_computing_is_refused(
    cli: Cli, files: tuple[Path, Path], tmp_path: Path
) -> None:
    rules, csv = files
    out = tmp_path / "w"
    cli.ok("period", "compute", str(csv), "--campaign", "welcome", "--period", "w", "--rules", str(rules), "--out", str(out))  # fmt: skip
    lines = (out / "activity.csv").read_text().splitlines()
    lines[1] = lines[1].replace(",20000,", ",30000,")
    (out / "activity.csv").write_text("\n".join(lines) + "\n")
    failed_cleanly(cli("period", "commit", str(out)), "period.json does not match")


def test_an_invalid_rules_document_is_refused_before_anything_is_sent(cli: Cli, tmp_path: Path) -> None:
    deploy_cli(cli, tmp_path)
    path = tmp_path / "bad.json"
    path.write_text(json.dumps({**rules_doc(), "extra": True}))
    before = cli.nonce()
    failed_cleanly(cli("rules", "set", "welcome", str(path)), "'extra' was unexpected")
    assert cli.nonce() == before


def test_verify_without_an_api_or_a_leaf_and_with_a_bad_leaf_file_is_refused_in_one_line(
    cli: Cli, files: tuple[Path, Path], tmp_path: Path
) -> None:
    key = "0x" + "ab" * 32
    failed_cleanly(cli("verify", key), "--api is required (or --recompute FILE")
    failed_cleanly(cli("verify", key, "--recompute", str(tmp_path / "none.json")), "cannot read")
    (tmp_path / "bad.json").write_text('{"leaf": {"types": ["bytes32"], "value": []}}')
    failed_cleanly(cli("verify", key, "--recompute", str(tmp_path / "bad.json")), "a leaf's types are")
    rules, csv = files
    out = tmp_path / "w"
    cli.ok("period", "compute", str(csv), "--campaign", "welcome", "--period", "w", "--rules", str(rules), "--out", str(out))  # fmt: skip
    player = (out / "activity.csv").read_text().splitlines()[1].split(",")[0]
    cli.ok("period", "proof", str(out), player, "--out", str(tmp_path / "theirs.json"))
    failed_cleanly(
        cli("verify", key, "--recompute", str(tmp_path / "theirs.json")), f"is for player {player}"
    )
    failed_cleanly(cli("period", "proof", str(out), key), "has no leaf in this period")
    deploy_cli(cli, tmp_path)
    failed_cleanly(cli("period", "show", "never"), "period never is not committed on this ledger")


def test_a_period_issue_interrupted_then_rerun_on_a_reordered_file_pays_everyone_once(
    cli: Cli, files: tuple[Path, Path], tmp_path: Path
) -> None:
    deploy_cli(cli, tmp_path)
    rules, csv = files
    out = tmp_path / "week-1"
    cli.ok("period", "compute", str(csv), "--campaign", "welcome", "--period", "week-1", "--rules", str(rules), "--out", str(out))  # fmt: skip
    cli.ok("rules", "set", "welcome", str(rules))
    cli.ok("period", "commit", str(out))
    # a first run lands the first batch of two rows, then dies
    _, result = load_period(out)
    deployment = load_deployment(cli.data_dir / "deployments", cli.w3.eth.chain_id)
    assert deployment is not None
    client = LedgerClient(cli.w3, deployment.address)
    sender = Sender(cli.w3, load_keystore(cli.data_dir / "keys" / "operator.json", PASSWORD), timeout=60)
    first = [Row(player, amount, ref) for player, amount, ref in result.rewards()[:2]]
    onchain.issue_period(client, sender, result.period, first, rows_per_batch=2)
    # the file is saved again in another order: the same period, the same batches
    lines = (out / "activity.csv").read_text().splitlines()
    (out / "activity.csv").write_text("\n".join([lines[0], *reversed(lines[1:])]) + "\n")
    assert f"issued {result.total} of {result.total}" in cli.ok(
        "period", "issue", str(out), "--rows-per-batch", "2"
    )
    passed = cli.ok(
        "audit", "recompute", str(out / "activity.csv"), "--period", "week-1", "--rules", str(rules)
    )
    assert passed.startswith("PASS")  # every player paid exactly once
    before = cli.nonce()
    refused = cli("period", "issue", str(out), "--rows-per-batch", "3")
    assert refused.exit_code == 9 and "batch 0 of period week-1 landed with other rows" in refused.stderr
    assert cli.nonce() == before
