"""`ledger index` and `ledger audit reconcile` as an operator and an auditor run them."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import Engine, select, update
from typer.testing import CliRunner

from ledger.cli.main import app
from ledger.db import tables as t
from tests.conftest import LedgerHarness, random_player, wait_until
from tests.indexer.conftest import every_kind, mirror_count
from tests.indexer.proxy import FaultPlan, fault_proxy
from tests.indexer.test_faults import _with_bogus_log

pytestmark = pytest.mark.slow  # the indexer as a process of its own

runner = CliRunner()


def env(
    ledger: LedgerHarness, database_url: str, tmp_path: Path, rpc_url: str | None = None
) -> dict[str, str]:
    return {
        "LEDGER_RPC_URL": rpc_url or ledger.w3.provider.endpoint_uri,  # type: ignore[attr-defined]
        "LEDGER_CONTRACT_ADDRESS": ledger.client.address,
        "LEDGER_DATABASE_URL": database_url,
        "LEDGER_DATA_DIR": str(tmp_path / "data"),
    }


def test_index_until_head_then_reconcile_passes_and_a_tampered_row_fails_with_exit_code_1(
    ledger: LedgerHarness, engine: Engine, database_url: str, tmp_path: Path
) -> None:
    every_kind(ledger)
    variables = env(ledger, database_url, tmp_path)
    indexed = runner.invoke(
        app, ["index", "--until-head", "--from-block", str(ledger.deploy_block)], env=variables
    )
    assert indexed.exit_code == 0, indexed.output
    assert "caught up at block" in indexed.output and "10 entries" in indexed.output
    assert "indexed blocks" in indexed.stderr  # the log line
    passed = runner.invoke(app, ["audit", "reconcile"], env=variables)
    assert passed.exit_code == 0 and passed.output.startswith("PASS at block"), passed.output
    with engine.begin() as conn:
        row = conn.execute(select(t.entries).where(t.entries.c.seq == 9)).one()
        conn.execute(
            update(t.entries).where(t.entries.c.seq == 9).values(player="0x" + random_player().hex())
        )
    failed = runner.invoke(app, ["audit", "reconcile"], env=variables)
    assert failed.exit_code == 1 and failed.output.startswith("FAIL at block"), failed.output
    assert (
        "first divergent entry: seq 9" in failed.output
        and f"entries seq 9 (block {row.block_number}" in failed.output
    )
    as_json = runner.invoke(app, ["audit", "reconcile", "--json"], env=variables)
    report = json.loads(as_json.stdout.strip().splitlines()[-1])
    assert as_json.exit_code == 1 and report["ok"] is False and report["first_divergent_seq"] == 9


def test_index_stops_on_a_log_that_does_not_decode_with_one_error_line(
    ledger: LedgerHarness, engine: Engine, database_url: str, tmp_path: Path
) -> None:
    ledger.issue(ledger.campaign(), random_player(), 5)
    with fault_proxy(ledger.w3.provider.endpoint_uri, FaultPlan(rewrite_logs=_with_bogus_log)) as url:  # type: ignore[attr-defined]
        result = runner.invoke(
            app,
            ["index", "--until-head", "-q", "--from-block", str(ledger.deploy_block)],
            env=env(ledger, database_url, tmp_path, url),
        )
    assert result.exit_code == 5
    assert result.stderr.startswith("error: the log at block") and "cannot be mirrored" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.output


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_index_reports_an_unreachable_node_after_retrying(
    ledger: LedgerHarness, database_url: str, tmp_path: Path
) -> None:
    plan = FaultPlan(down=True, spared=("eth_chainId", "eth_getCode"))
    with fault_proxy(ledger.w3.provider.endpoint_uri, plan) as url:  # type: ignore[attr-defined]
        result = runner.invoke(
            app,
            ["index", "--until-head", "-q", "--retry-for", "0.5"],
            env=env(ledger, database_url, tmp_path, url),
        )
    assert result.exit_code == 3, result.output
    *warnings, last = result.stderr.strip().splitlines()
    assert last.startswith(f"error: cannot reach the node at {url}") and "Traceback" not in result.output
    assert warnings and all("retrying in" in line for line in warnings)  # each retry was reported
    assert plan.injected["down"] >= 2  # it retried before giving up


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_index_follows_until_sigterm_then_stops_cleanly(
    ledger: LedgerHarness, engine: Engine, database_url: str, tmp_path: Path
) -> None:
    campaign = ledger.campaign()
    command = [
        sys.executable,
        "-c",
        "from ledger.cli.main import main; main()",
        "index",
        "-q",
        "--from-block",
        str(ledger.deploy_block),
    ]
    process = subprocess.Popen(
        command,
        env={**os.environ, **env(ledger, database_url, tmp_path)},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        ledger.issue(campaign, random_player(), 5)
        wait_until(lambda: mirror_count(engine) == 1, timeout=30)
        process.send_signal(signal.SIGTERM)
        stdout, stderr = process.communicate(timeout=30)
    finally:
        process.kill()
    assert process.returncode == 0, stderr
    assert stdout.decode().startswith("stopped at block") and b"Traceback" not in stderr


def test_index_reports_an_unreachable_database_in_one_line(ledger: LedgerHarness, tmp_path: Path) -> None:
    variables = {
        **env(ledger, "postgresql+psycopg://nobody@127.0.0.1:1/none", tmp_path),
        "LEDGER_DATABASE_URL": "postgresql+psycopg://nobody@127.0.0.1:1/none",
    }
    result = runner.invoke(app, ["index", "--until-head", "-q"], env=variables)
    assert result.exit_code == 6, result.output
    assert (
        result.stderr.startswith("error: cannot migrate the database at") and "Traceback" not in result.output
    )
