"""`make demo` end to end: node, sample stream, indexer, API and page; Ctrl-C; a resumed run."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import requests

from tests.conftest import free_port

PROJECT = Path(__file__).resolve().parents[2]


def run_demo(data_dir: Path, node_port: int, api_port: int, until: str, timeout: float = 120) -> str:
    """Starts the demo, waits for `until` in its output, then stops it with Ctrl-C (SIGINT)."""
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("LEDGER_")},
        "LEDGER_DATA_DIR": str(data_dir), "LEDGER_NODE_PORT": str(node_port), "LEDGER_API_PORT": str(api_port),
        "LEDGER_DEMO_PLAYERS": "300", "PYTHONUNBUFFERED": "1", "COLUMNS": "200",
    }  # fmt: skip
    demo = subprocess.Popen(
        [sys.executable, str(PROJECT / "scripts" / "demo.py")], env=env, cwd=data_dir.parent,
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    output: list[str] = []
    deadline = time.monotonic() + timeout
    assert demo.stdout is not None
    try:
        for line in demo.stdout:
            output.append(line)
            if until in line or time.monotonic() > deadline:
                break
        time.sleep(4)  # let the trickle add entries
        text = "".join(output)
        if until in text:
            base = f"http://127.0.0.1:{api_port}"
            assert requests.get(f"{base}/", timeout=5).status_code == 200
            assert requests.get(f"{base}/audit", timeout=5).status_code == 200
            summary = requests.get(f"{base}/v1/audit/summary", timeout=5).json()
            output.append(f"SUMMARY {summary}\n")
    finally:
        demo.send_signal(signal.SIGINT)
        rest, _ = demo.communicate(timeout=30)
        output.append(rest)
    assert demo.returncode == 130, "".join(output)
    return "".join(output)


def test_the_demo_runs_everything_and_resumes_on_the_same_data(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    first = run_demo(data_dir, free_port(), free_port(), "a new reward arrives")
    assert "deployed the ledger" in first and "PASS at block" in first, first
    assert "player page" in first and "new reward: entry" in first
    assert "stopped the indexer, the API and the node" in first

    second = run_demo(data_dir, free_port(), free_port(), "a new reward arrives")
    assert "ledger already deployed" in second and "deployed the ledger at" not in second
    assert "payouts already recorded" in second
    assert "PASS at block" in second
    entries_before = int(first.split(" entries, issued")[0].rsplit("ledger: ", 1)[1].replace(",", ""))
    entries_after = int(second.split(" entries, issued")[0].rsplit("ledger: ", 1)[1].replace(",", ""))
    trickled = first.count("new reward: entry")
    # The first run's trickle survived and nothing was re-issued: only the trickle's entries (a
    # reward, a payout every fifth, and one that Ctrl-C caught before it was printed) are new.
    assert trickled <= entries_after - entries_before <= trickled + trickled // 5 + 1
