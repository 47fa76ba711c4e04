"""`ledger games|tiers|badges|tournament` end to end on anvil, and their refusals: one `error:`
line and a non-zero exit."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from web3 import Web3

from api.main import create_app
from ledger.chain.node import LocalNode
from ledger.config import Settings
from tests.cli.conftest import Cli, deploy_cli, failed_cleanly, make_cli
from tests.conftest import random_player
from tests.verify.server import serving

TIERS = {
    "format": "rewards-ledger/tiers@1",
    "base": "member",
    "tiers": [
        {"name": "silver", "min_earned": "100"},
        {"name": "gold", "min_earned": "1000", "multiplier_bp": 12000},
    ],
    "downgrade": {"policy": "recheck", "every_days": 30, "grace_days": 14},
}
BADGES = {"format": "rewards-ledger/badges@1", "badges": [{"id": "first-payout", "kind": "first_payout"}]}
PRIZES = {"format": "rewards-ledger/prizes@1", "prizes": ["50", "20"]}
SCORING = {"format": "rewards-ledger/scoring@1", "description": "points won during the week"}


def _ledger_address(cli: Cli) -> str:
    (deployment,) = [
        p for p in (cli.data_dir / "deployments").glob("*.json") if not p.name.startswith("games-")
    ]
    return str(json.loads(deployment.read_text())["address"])


@pytest.fixture
def cli(tmp_path: Path, anvil: LocalNode, w3: Web3, monkeypatch: pytest.MonkeyPatch) -> Cli:
    cli = deploy_cli(make_cli(tmp_path, anvil, w3, monkeypatch), tmp_path)
    cli.ok("games", "deploy")
    for name, data in (("tiers", TIERS), ("badges", BADGES), ("prizes", PRIZES), ("scoring", SCORING)):
        (tmp_path / f"{name}.json").write_text(json.dumps(data), encoding="utf-8")
    return cli


@pytest.mark.slow
def test_tiers_and_badges_from_the_command_line_verify(cli: Cli, tmp_path: Path) -> None:
    player = "0x" + random_player().hex()
    assert "version 1 published" in cli.ok("tiers", "publish", str(tmp_path / "tiers.json"))
    cli.ok("issue", "welcome", player, "150", "-r", "r1")
    assert "tier 1 held" in cli.ok("tiers", "sync", player)
    cli.ok("badges", "publish", str(tmp_path / "badges.json"))
    failed_cleanly(
        cli("badges", "award", str(tmp_path / "badges.json"), "first-payout", player), "do not support badge"
    )
    cli.ok("payout", player, "10", "-r", "p1")
    cli.ok("badges", "award", str(tmp_path / "badges.json"), "first-payout", player)
    evidence = cli.data_dir / "badges" / f"{player}.json"
    args = ["--tiers", str(tmp_path / "tiers.json"), "--badges", str(tmp_path / "badges.json")]
    shown = cli.ok("games", "verify", player, *args, "--tier", "silver", "--evidence", str(evidence))
    assert "VERIFIED" in shown
    refused = cli("games", "verify", player, *args, "--tier", "gold")
    assert refused.exit_code == 1 and "claimed gold, lifetime earned 150 gives silver" in refused.stdout
    cli.ok("index", "--until-head")
    settings = Settings(
        database_url=f"sqlite:///{cli.data_dir / 'ledger.db'}", rpc_url=cli.env["LEDGER_RPC_URL"],
        data_dir=cli.data_dir, contract_address=cli.w3.to_checksum_address(_ledger_address(cli)),
    )  # fmt: skip
    with serving(create_app(settings)) as base:
        assert "VERIFIED" in cli.ok("games", "verify", player, "--api", base)
    nonce = cli.nonce()  # a re-run after the award landed sends nothing and keeps the evidence
    again = cli.ok("badges", "award", str(tmp_path / "badges.json"), "first-payout", player)
    assert "already awarded with this evidence: nothing sent" in again and cli.nonce() == nonce
    assert len(json.loads(evidence.read_text())) == 1


@pytest.mark.slow
def test_a_tournament_from_the_command_line(cli: Cli, tmp_path: Path) -> None:
    players = ["0x" + random_player().hex() for _ in range(3)]
    scores = tmp_path / "scores.csv"
    scores.write_text(
        "player,score,reached\n" + "".join(f"{p},{10 * i},{i}\n" for i, p in enumerate(players))
    )
    files = ["--scoring", str(tmp_path / "scoring.json"), "--prizes", str(tmp_path / "prizes.json")]
    cli.ok("tournament", "create", "week-1", "--campaign", "welcome", *files, "--end", "+60s")
    cli.ok("tournament", "commit", "week-1", str(scores))
    failed_cleanly(cli("tournament", "finish", "week-1", str(scores)), "TournamentNotEnded")
    cli.w3.provider.make_request("evm_increaseTime", [120])  # type: ignore[arg-type]
    cli.w3.provider.make_request("evm_mine", [])  # type: ignore[arg-type]
    cli.ok("tournament", "finish", "week-1", str(scores))
    prizes = ["--prizes", str(tmp_path / "prizes.json")]
    assert "2 winners, total 70" in cli.ok("tournament", "prizes", "week-1", *prizes)
    assert "already issued" in cli.ok("tournament", "prizes", "week-1", *prizes)
    final = cli.data_dir / "tournaments" / "week-1" / "final.json"
    for player in players:
        shown = cli.ok(
            "games", "verify", player, "--tournament", "week-1", "--standings", str(final), *prizes
        )
        assert "VERIFIED" in shown
    assert "already committed: nothing sent" in cli.ok("tournament", "finish", "week-1", str(scores))
    scores.write_text(scores.read_text().replace(",20,", ",25,"))  # a changed score after the final
    failed_cleanly(cli("tournament", "finish", "week-1", str(scores)), "cannot change")


@pytest.mark.parametrize(
    ("document", "expected"),
    [
        ("{not json", "not valid JSON"),
        (json.dumps({**TIERS, "tiers": [{"name": "a", "min_earned": 1.5}]}), "is not an integer"),
        (
            json.dumps(
                {**TIERS, "tiers": [{"name": "a", "min_earned": "9"}, {"name": "b", "min_earned": "9"}]}
            ),
            "ascend",
        ),
        (json.dumps({**TIERS, "downgrade": {"policy": "sometimes"}}), "policy must be"),
    ],
)
def test_a_bad_tier_table_is_refused_in_one_line(
    cli: Cli, tmp_path: Path, document: str, expected: str
) -> None:
    path = tmp_path / "bad.json"
    path.write_text(document, encoding="utf-8")
    nonce = cli.nonce()
    failed_cleanly(cli("tiers", "publish", str(path)), expected)
    assert cli.nonce() == nonce
