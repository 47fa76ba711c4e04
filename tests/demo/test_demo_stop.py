"""Ctrl-C stops the demo within 5 s whatever it is doing, leaves none of its processes behind and
no traceback, and the next run resumes: after six interrupted runs on the same data, every
planned entry is on chain exactly once."""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import pytest

from ledger.chain.client import LedgerClient, connect
from ledger.chain.deployments import load_deployment
from ledger.chain.node import LocalNode
from ledger.demo import rules_period, seed, story
from ledger.events import decode_log, event_topic
from ledger.ops.lookup import scan_logs
from ledger.playerkey import derive_player_key
from tests.conftest import free_port, wait_until
from tests.demo.harness import DEMO, PROJECT, READY, STOPPED, Demo, demo_env, rpc, session_processes

PLAYERS = 200
BOUND = 5.0  # seconds from Ctrl-C to every process gone


def stopped_within_bound(demo: Demo, signalled: float) -> str:
    """The demo exits within the bound, with its one stop line last, no traceback, nothing left."""
    code = demo.wait_exit(timeout=BOUND + 10)
    elapsed = time.monotonic() - signalled
    output = demo.output
    assert elapsed < BOUND, f"stopping took {elapsed:.1f} s:\n{output}"
    assert "Traceback" not in output, output
    assert session_processes(demo.pid) == [], output
    last = [line for line in output.splitlines() if line.strip()][-1]
    assert STOPPED in last, output
    assert code in (130, -2), output  # the demo's own 130; make (in a pty) dies of the SIGINT itself
    return last


def components(demo: Demo) -> list[str]:
    """What runs in the demo's session: the node, the indexer, the API (by command line)."""
    names = []
    for _, cmdline in session_processes(demo.pid):
        if "anvil" in cmdline:
            names.append("node")
        elif "ledger.cli index" in cmdline:
            names.append("indexer")
        elif "ledger.cli serve" in cmdline:
            names.append("api")
    return sorted(names)


@pytest.mark.slow
def test_ctrl_c_stops_the_demo_in_every_phase_and_the_next_run_resumes(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    node_port, api_port = free_port(), free_port()
    env = demo_env(node_port, api_port, PLAYERS, data_dir)
    node_url = f"http://127.0.0.1:{node_port}"
    demos: list[Demo] = []

    def start(argv: list[str] = DEMO, use_pty: bool = False, cwd: Path = PROJECT) -> Demo:
        demos.append(Demo(argv, cwd, env, use_pty))
        return demos[-1]

    try:
        # 1. A fresh start, Ctrl-C on the terminal while the keystore is made or the ledger deployed.
        demo = start()
        demo.wait_for("local node on", 120)
        last = stopped_within_bound(demo, demo.interrupt(group=True))
        assert "keystore" in last or "deploying" in last or "campaigns" in last, last

        # 2. In the batches (progress bar), waiting for receipts that never come: mining is off.
        demo = start()
        demo.wait_for("eight weeks of play", 120)
        rpc(node_url, "evm_setAutomine", [False])
        _wait_pending(node_url)
        last = stopped_within_bound(demo, demo.interrupt())
        assert "writing eight weeks of rewards" in last, last

        # 3. Started with SIGINT ignored (a script's background job), Ctrl-C on the terminal while
        # the mirror catches up in a foreground command.
        demo = start(["sh", "-c", 'trap "" INT; exec "$0" "$@"', *DEMO])
        demo.wait_for("mirroring the ledger", 120)
        last = stopped_within_bound(demo, demo.interrupt(group=True))
        assert "mirroring" in last or "starting the indexer" in last, last

        # 4. Waiting for the API (Ctrl-C to the demo only: it stops its children itself).
        demo = start()
        demo.wait_for("caught up at block", 120)
        last = stopped_within_bound(demo, demo.interrupt())
        assert "the API" in last or "starting the indexer" in last, last

        # 5. Trickling, a reward waiting for a receipt when Ctrl-C kills the node along with the
        # demo (the run that once polled a dead node for 105 s).
        demo = start()
        demo.wait_for(READY, 180)
        assert components(demo) == ["api", "indexer", "node"]
        rpc(node_url, "evm_setIntervalMining", [0])
        _wait_pending(node_url)
        last = stopped_within_bound(demo, demo.interrupt(group=True))
        assert "sending a reward" in last, last

        # 6. `make demo` on a terminal, Ctrl-C typed while it trickles: no "Error 130" from make.
        make = ["make", "-s", "-o", ".venv/.installed", "-o", "contracts/node_modules/.installed", "demo"]
        demo = start(make, use_pty=True)
        ready = demo.wait_for(READY, 180)
        demo.wait_for("new reward: entry", 30, after=ready)
        stopped_within_bound(demo, demo.type_ctrl_c())
        assert "make:" not in demo.output and "Error" not in demo.output, demo.output
    finally:
        for demo in demos:
            demo.kill()

    assert_every_planned_entry_landed_once(data_dir)


def _wait_pending(node_url: str) -> None:
    """Until the demo has a transaction waiting to be mined (it then waits for its receipt)."""
    wait_until(lambda: int(rpc(node_url, "txpool_status", [])["pending"], 16) > 0, timeout=60)  # type: ignore[index]


def assert_every_planned_entry_landed_once(data_dir: Path) -> None:
    """The chain holds the story's entries once each, plus what the trickle wrote (its own refs)."""
    copy = data_dir.parent / "inspect"
    shutil.copytree(data_dir / "node", copy, ignore=shutil.ignore_patterns("state-cache"))
    node = LocalNode(copy, port=free_port())
    node.start()
    try:
        w3 = connect(node.url)
        deployment = load_deployment(data_dir / "deployments", int(w3.eth.chain_id))
        assert deployment is not None
        client = LedgerClient(w3, deployment.address)
        secret = (data_dir / "keys" / "player-key.secret").read_text().strip().encode()
        regulars = [derive_player_key(secret, pid) for pid in story.regular_ids()]
        weeks = story.plan(seed.player_keys(secret, PLAYERS), regulars)
        planned = sum(story.entries(act) for week in weeks for act in week.acts)
        planned += rules_period.planned_rewards(seed.player_keys(secret, PLAYERS), regulars, secret)
        topics = [event_topic("RewardIssued"), event_topic("PayoutRecorded")]
        trickled = sum(
            1
            for raw in scan_logs(client, topics, deployment.block_number, int(w3.eth.block_number))
            if decode_log(raw).args["ref"].startswith(b"trickle-")
        )
        count, _ = client.chain_state()
        assert count == planned + trickled, (count, planned, trickled)
    finally:
        node.stop()
