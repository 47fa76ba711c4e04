"""The player's check (`ledger verify PLAYER --recompute FILE`) and the auditor's (`ledger audit
recompute`) against a real ledger: an honest period passes both, and each way an operator could
cheat is caught by both, naming the period and the difference."""

from __future__ import annotations

import dataclasses
import os
import secrets
from pathlib import Path

import pytest
from click.testing import Result
from typer.testing import CliRunner

from ledger.chain.node import LocalNode
from ledger.cli.main import app
from ledger.encoding import Row
from ledger.rules.activity import PlayerActivity, write_activity
from ledger.rules.document import validate_rules
from ledger.rules.period import compute_period
from tests.conftest import LedgerHarness
from tests.rules.world import Period, make_period, rules_doc


@pytest.fixture
def run(anvil: LocalNode, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    for name in list(os.environ):
        if name.startswith("LEDGER_") and name != "LEDGER_TEST_DATABASE_URL":
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)

    def invoke(*args: str) -> Result:
        return CliRunner().invoke(app, list(args), env={"LEDGER_RPC_URL": anvil.url}, catch_exceptions=True)

    return invoke


@pytest.fixture
def period(ledger: LedgerHarness) -> Period:
    return make_period(ledger)


def verify(run, p: Period, tmp_path: Path, index: int, **kw: object) -> Result:  # type: ignore[no-untyped-def]
    proof = p.proof_file(tmp_path, index, **kw)  # type: ignore[arg-type]
    player = "0x" + p.rows[index].player.hex()
    return run("verify", player, "--recompute", str(proof), "--contract", p.ledger.client.address)


def audit(
    run, p: Period, tmp_path: Path, rows: list[PlayerActivity] | None = None, rules: dict | None = None
) -> Result:  # type: ignore[no-untyped-def,type-arg]
    csv_path, rules_path = tmp_path / "audit-activity.csv", tmp_path / "audit-rules.json"
    write_activity(csv_path, rows or p.rows, p.rules.data)
    rules_path.write_bytes(validate_rules(rules).canonical if rules else p.rules.canonical)
    return run(
        "audit", "recompute", str(csv_path), "--period", p.label, "--rules", str(rules_path),
        "--contract", p.ledger.client.address,
    )  # fmt: skip


def failed(result: Result, *expected: str) -> None:
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    for text in expected:
        assert text in result.stdout, result.stdout


def test_an_honest_period_passes_the_player_check_and_the_audit(run, period: Period, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    period.commit()
    period.pay(period.honest_rows())
    for index in (0, 3, 5):  # 5 earned nothing and was rightly paid nothing
        result = verify(run, period, tmp_path, index)
        assert result.exit_code == 0 and "VERIFIED: period week-1" in result.stdout, result.output
    assert "reward 2100 recomputed" in verify(run, period, tmp_path, 0).stdout
    result = audit(run, period, tmp_path)
    assert result.exit_code == 0 and "PASS: period week-1: 6 leaves" in result.stdout, result.output


def test_paying_less_than_the_rules_give_is_caught(run, period: Period, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    period.commit()
    shorted = period.rows[1].player  # 2200 paid as 2184
    period.pay(
        [
            Row(r.player, r.amount - 16 if r.player == shorted else r.amount, r.ref)
            for r in period.honest_rows()
        ]
    )
    failed(verify(run, period, tmp_path, 1), "period week-1: the ledger paid 2184 where the rules give 2200 (difference 16)", "FAILED: period week-1")  # fmt: skip
    assert verify(run, period, tmp_path, 0).exit_code == 0
    failed(audit(run, period, tmp_path), "was paid 2184 where the rules give 2200 (difference 16)", "FAIL: period week-1")  # fmt: skip


def test_skipping_a_player_is_caught(run, period: Period, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    period.commit()
    period.pay([row for row in period.honest_rows() if row.player != period.rows[2].player])
    failed(verify(run, period, tmp_path, 2), "the ledger paid 0 where the rules give 2300 (difference 2300)")
    failed(audit(run, period, tmp_path), f"player 0x{period.rows[2].player.hex()} was paid 0 where the rules give 2300")  # fmt: skip


def test_paying_a_player_with_no_activity_is_caught(run, period: Period, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    stranger = secrets.token_bytes(32)
    period.commit(total=period.result.total + 500)  # room for the stranger in the committed total
    period.pay([*period.honest_rows(), Row(stranger, 500, b"\x00" * 20)])
    failed(audit(run, period, tmp_path), f"player 0x{stranger.hex()} was paid 500 but has no activity leaf", "total recomputed")  # fmt: skip
    # the player who broke even, paid anyway: the rules give them nothing
    period2 = make_period(period.ledger, "week-2")
    period2.commit(total=period2.result.total + 700)
    period2.pay([*period2.honest_rows(), Row(period2.rows[5].player, 700, b"\x00" * 20)])
    failed(verify(run, period2, tmp_path, 5), "the ledger paid 700 where the rules give 0 (difference -700)")


def test_changing_a_leaf_after_committing_is_caught(run, period: Period, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    period.commit()
    # after the commitment, player 4's wagers are "corrected" down and the lower reward paid
    rows = list(period.rows)
    rows[4] = rows[4]._replace(activity=rows[4].activity._replace(wagers=(10_000, 0)))
    altered = compute_period(period.rules, period.result.period, rows)
    period.pay([Row(player, amount, ref) for player, amount, ref in altered.rewards()])
    failed(verify(run, period, tmp_path, 4, result=altered), "the leaf and its proof do not lead to the committed root")  # fmt: skip
    failed(audit(run, period, tmp_path, rows=rows), "root recomputed", "total recomputed")


def test_changing_the_rules_silently_is_caught(run, period: Period, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    # committed under the published 10 % rules, computed and paid at 8 %
    eight = compute_period(validate_rules(rules_doc(800)), period.result.period, period.rows)
    period.result = dataclasses.replace(eight, rules=period.rules)
    period.commit()
    period.pay(period.honest_rows())
    # handed the 8 % rules: they are not the committed ones
    failed(verify(run, period, tmp_path, 0, result=eight), "the rules given hash to", "but the period was committed under")  # fmt: skip
    # with the published rules, the leaf's reward is not what they give
    failed(verify(run, period, tmp_path, 0), "the leaf states a reward of 1700 but the rules give 2100 (difference 400)")  # fmt: skip
    result = audit(run, period, tmp_path)
    failed(result, "was paid 1700 where the rules give 2100 (difference 400)", "root recomputed")
    # and under the 8 % rules, the auditor sees they are not the committed version
    failed(audit(run, period, tmp_path, rules=rules_doc(800)), "rules hash recomputed")
