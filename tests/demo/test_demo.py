"""`make demo` end to end: node, eight weeks of play, indexer, API and page; the README's operator
guide run beside it on the demo's data; Ctrl-C; a resumed run that writes nothing twice."""

from __future__ import annotations

import re
import subprocess
import time
from collections import Counter
from pathlib import Path

import pytest
import requests

from tests.conftest import free_port
from tests.demo.harness import DEMO, PROJECT, READY, STOPPED, Demo, demo_env

PLAYERS = 120
WEEK = 7 * 86_400
GUIDE_ENTRIES = 4  # the guide's issue, its two batch rows and its payout


def readme_guide() -> str:
    """The shell blocks of the README's section on the operator guide against the demo."""
    text = (PROJECT / "README.md").read_text(encoding="utf-8")
    section = text.split("### The operator guide against the demo", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```sh\n(.*?)```", section, re.S)
    assert len(blocks) == 2, "the section shows its settings, then its commands"
    return "set -euo pipefail\n" + "".join(blocks)


def ledger_entries(output: str) -> int:
    return int(output.split(" entries, issued")[0].rsplit("ledger: ", 1)[1].replace(",", ""))


def trickled(lines: list[str]) -> int:
    """Entries the trickle reported: a reward, sometimes with a payout."""
    return sum(1 + ("payout: entry" in line) for line in lines if "new reward: entry" in line)


def full_history(base: str, player: str) -> tuple[list[dict[str, object]], int]:
    """Every entry of a player through the API, 20 a page as the player page reads them."""
    entries: list[dict[str, object]] = []
    cursor, pages = "", 0
    while True:
        url = f"{base}/v1/players/{player}/history?limit=20" + (f"&cursor={cursor}" if cursor else "")
        page = requests.get(url, timeout=10).json()
        entries += page["entries"]
        pages += 1
        if not page["next_cursor"]:
            return entries, pages
        cursor = page["next_cursor"]


def stop(demo: Demo) -> None:
    signalled = demo.interrupt()
    assert demo.wait_exit(15) == 130, demo.output
    assert time.monotonic() - signalled < 5.0, demo.output
    assert STOPPED in demo.lines[-1] and "Traceback" not in demo.output, demo.output


@pytest.mark.slow
def test_the_demo_runs_beside_the_operator_guide_and_resumes_on_the_same_data(tmp_path: Path) -> None:
    # The working directory plays the project root: the demo's data goes to ./data, as by default.
    env = demo_env(free_port(), free_port(), PLAYERS)
    base = f"http://127.0.0.1:{env['LEDGER_API_PORT']}"
    first = Demo(DEMO, tmp_path, env)
    try:
        first.wait_for(READY, 240)
        output = first.output
        assert "deployed the ledger" in output and "PASS at block" in output, output
        assert requests.get(f"{base}/", timeout=5).status_code == 200
        assert requests.get(f"{base}/audit", timeout=5).status_code == 200
        linked = re.search(r"player page +\S+\?player=(0x[0-9a-f]{64}) +\(regular-01\)", output)
        assert linked is not None, output

        history, pages = full_history(base, linked.group(1))
        assert len(history) >= 50 and pages >= 3
        kinds = Counter(str(e["kind"]) for e in history)
        assert {"issued", "paid", "reversed", "expired"} <= set(kinds), kinds
        issued = [e for e in history if e["kind"] == "issued"]
        assert any(e["batch_id"] for e in issued) and any(not e["batch_id"] for e in issued)
        assert len({e["campaign_id"] for e in issued}) >= 3
        assert len({int(str(e["block_time"])) // WEEK for e in history}) >= 6  # weeks of activity

        guide_env = {**env, "PATH": f"{PROJECT / '.venv' / 'bin'}:{env['PATH']}"}
        guide = subprocess.run(
            ["bash", "-c", readme_guide()], cwd=tmp_path, env=guide_env, capture_output=True, text=True,
            timeout=600, check=False,
        )  # fmt: skip
        assert guide.returncode == 0, guide.stdout + guide.stderr
        assert "VERIFIED" in guide.stdout and "PASS at block" in guide.stdout, guide.stdout
        first.wait_for("new reward: entry", 30, after=len(first.lines))  # the trickle goes on
        stop(first)
    finally:
        first.kill()

    second = Demo(DEMO, tmp_path, demo_env(free_port(), free_port(), PLAYERS))
    try:
        second.wait_for(READY, 240)
        again = second.output
        assert "ledger already deployed" in again and "deployed the ledger at" not in again
        assert "\n> 0 entries written now" in again, again
        assert "PASS at block" in again
        stop(second)
    finally:
        second.kill()
    # Nothing was written twice: the only new entries are the first run's trickle (and a reward
    # and its payout that Ctrl-C may have caught before they were reported) and the guide's.
    new = ledger_entries(again) - ledger_entries(first.output)
    reported = trickled(first.lines) + GUIDE_ENTRIES
    said = [line for line in first.lines if "entr" in line or "stopped" in line or "failed" in line]
    assert reported <= new <= reported + 2, "\n".join(
        [f"{new} new, {reported} reported", *said, guide.stdout, again]
    )
