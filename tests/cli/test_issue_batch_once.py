"""`ledger issue-batch` pays each reference once: re-saved, reordered, appended, edited, run twice
at once, killed in the middle and run again. Every test checks the chain, not only the output."""

from __future__ import annotations

import os
import secrets
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from ledger.chain.client import LedgerClient
from ledger.chain.deployments import load_deployment
from ledger.encoding import text_to_bytes
from tests.cli.conftest import Cli, failed_cleanly
from tests.conftest import wait_until

ROOT = Path(__file__).resolve().parents[2]
CID = text_to_bytes("welcome")


def client_of(cli: Cli) -> LedgerClient:
    deployment = load_deployment(cli.data_dir / "deployments", 31337)
    assert deployment is not None
    return LedgerClient(cli.w3, deployment.address)


def make_rows(count: int, amount: int = 60, start: int = 0) -> list[tuple[str, int, str]]:
    return [("0x" + secrets.token_hex(32), amount, f"row-{start + i:05d}") for i in range(count)]


def save(path: Path, rows: list[tuple[str, int, str]], newline: str = "\n", bom: bool = False) -> Path:
    text = newline.join(["player,amount,reference", *(f"{p},{a},{r}" for p, a, r in rows)]) + newline
    path.write_bytes(("\ufeff" if bom else "").encode() + text.encode())
    return path


def assert_landed_once(cli: Cli, rows: list[tuple[str, int, str]], entries_before: int = 0) -> None:
    client = client_of(cli)
    assert client.chain_state()[0] == entries_before + len(rows)
    assert client.campaign(CID).issued == sum(a for _, a, _ in rows)
    for player, amount, _ in rows:
        assert client.player(bytes.fromhex(player[2:])).balance == amount


def test_lf_crlf_bom_and_reordered_copies_and_an_appended_row_pay_once(deployed: Cli, tmp_path: Path) -> None:
    rows = make_rows(3)
    deployed.ok("issue-batch", str(save(tmp_path / "lf.csv", rows)), "--campaign", "welcome")
    for name, kwargs in {"crlf": {"newline": "\r\n"}, "bom": {"bom": True}}.items():
        output = deployed.ok(
            "issue-batch", str(save(tmp_path / f"{name}.csv", rows, **kwargs)), "--campaign", "welcome"
        )
        assert "0 rows issued" in output and "3 rows had landed before" in output
    deployed.ok("issue-batch", str(save(tmp_path / "reordered.csv", rows[::-1])), "--campaign", "welcome")
    appended = [*rows, *make_rows(1, start=3)]
    output = deployed.ok("issue-batch", str(save(tmp_path / "lf.csv", appended)), "--campaign", "welcome")
    assert "1 rows issued in 1 batch(es) (lf." in output and "3 rows had landed before" in output
    assert_landed_once(deployed, appended)


def test_a_changed_amount_is_refused_naming_its_line_and_the_existing_entry(
    deployed: Cli, tmp_path: Path
) -> None:
    rows = make_rows(3)
    path = save(tmp_path / "rewards.csv", rows)
    deployed.ok("issue-batch", str(path), "--campaign", "welcome")
    edited = [rows[0], (rows[1][0], 61, rows[1][2]), rows[2], *make_rows(2, start=3)]
    save(path, edited)
    before = deployed.nonce()
    result = deployed("issue-batch", str(path), "--campaign", "welcome")
    failed_cleanly(result, "1 reference(s) already recorded with other content, nothing was sent")
    assert result.exit_code == 9
    assert "line 3: reference 'row-00001' is already entry 2" in result.stderr
    assert deployed.nonce() == before
    assert_landed_once(deployed, rows)


def test_a_dry_run_reports_what_it_would_send_skip_and_refuse_and_sends_nothing(
    deployed: Cli, tmp_path: Path
) -> None:
    rows = make_rows(4)
    path = save(tmp_path / "rewards.csv", rows[:2])
    deployed.ok("issue-batch", str(path), "--campaign", "welcome")
    save(path, [rows[0], (rows[1][0], 1, rows[1][2]), *rows[2:]])
    before = deployed.nonce()
    result = deployed("issue-batch", str(path), "--campaign", "welcome", "--dry-run")
    assert result.exit_code == 9, result.output
    assert "would send   2 row(s) in 1 batch(es): rewards." in result.stdout
    assert "would skip   1 row(s)" in result.stdout and "would refuse 1 row(s)" in result.stdout
    assert "line 3: reference 'row-00001' is already entry 2" in result.stdout
    save(path, rows[:1] + rows[2:])
    assert "would refuse 0 row(s)" in deployed.ok(
        "issue-batch", str(path), "--campaign", "welcome", "--dry-run"
    )
    assert deployed.nonce() == before
    assert not list((deployed.data_dir / "locks").glob("*.holder"))
    assert_landed_once(deployed, rows[:2])


def run_cli(cli: Cli, tmp_path: Path, *args: str, **env: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "ledger.cli", *args],
        cwd=tmp_path, env={**os.environ, **cli.env, **env}, text=True,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )  # fmt: skip


@pytest.mark.slow
def test_two_runs_at_once_on_overlapping_files_pay_each_reference_once(deployed: Cli, tmp_path: Path) -> None:
    rows = make_rows(300, amount=3)
    first = save(tmp_path / "first.csv", rows[:200])
    second = save(tmp_path / "second.csv", rows[100:][::-1])
    runs = [
        run_cli(deployed, tmp_path, "issue-batch", str(path), "--campaign", "welcome", "--rows", "20")
        for path in (first, second)
    ]
    results = [run.communicate(timeout=300) for run in runs]
    for run, (_, stderr) in zip(runs, results, strict=True):
        assert run.returncode == 0, stderr
        assert "Traceback" not in stderr
    issued = [int(out.split(" rows issued")[0].split()[-1]) for out, _ in results]
    assert sum(issued) == 300  # the overlap went out once, from whichever run came first
    assert_landed_once(deployed, rows)


@pytest.mark.slow
def test_a_run_killed_midway_then_rerun_with_an_edited_file_pays_each_reference_once(
    deployed: Cli, tmp_path: Path
) -> None:
    rows = make_rows(1500, amount=2)
    path = save(tmp_path / "rewards.csv", rows)
    journal = deployed.data_dir / "journal"
    run = run_cli(deployed, tmp_path, "issue-batch", str(path), "--campaign", "welcome", "--rows", "10",
                  LEDGER_MAX_IN_FLIGHT="4")  # fmt: skip

    def sent_some() -> bool:
        files = list(journal.glob("*.jsonl"))
        return bool(files) and files[0].read_text().count('"tx"') >= 12

    wait_until(sent_some, timeout=120)
    run.send_signal(signal.SIGKILL)
    run.communicate(timeout=30)
    landed_at_kill = client_of(deployed).chain_state()[0]
    assert 0 < landed_at_kill < len(rows)
    edited = [*rows[::-1], *make_rows(7, amount=2, start=len(rows))]  # reordered, with rows added
    output = deployed.ok("issue-batch", str(save(path, edited)), "--campaign", "welcome", "--rows", "200")
    assert "had landed before and were skipped" in output
    assert_landed_once(deployed, edited)
    assert not list(journal.glob("*.jsonl"))
