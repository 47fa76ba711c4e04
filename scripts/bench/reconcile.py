#!/usr/bin/env python3
"""Reconcile benchmark: time `ledger audit reconcile` on a mirror of many entries.

Builds a ledger on a private anvil with one-second blocks through batch issuance to returning
players (scripts/bench/chain.py), mirrors it with the indexer into SQLite (and
PostgreSQL when a server is named), then times `ledger audit reconcile` on each, from process
start to verdict: every column of every mirrored row against the chain's logs and blocks, the
hash chain against `chainState()`, and every player and campaign against the contract's views.
`--quick` runs 20,000 entries; `--json` ends with the figures as one JSON object.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from web3 import Web3

from ledger.chain.client import LedgerClient
from ledger.chain.node import LocalNode
from ledger.db.engine import make_engine
from ledger.indexer.service import Indexer, Options
from scripts.bench.chain import deploy, drop_pg_schema, free_port, fresh_pg_schema, generate

Figures = dict[str, Any]


class PeakMemory:
    """A process's peak resident memory, polled from /proc (`VmHWM`): the rusage figure would
    count the memory of this process, which the child shares until it runs the command."""

    def __init__(self, pid: int) -> None:
        self.pid, self.highest = pid, 0
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._poll, daemon=True)
        self._thread.start()

    def _poll(self) -> None:
        while not self._done.wait(0.1):
            try:
                status = Path(f"/proc/{self.pid}/status").read_text()
            except OSError:
                return
            for line in status.splitlines():
                if line.startswith("VmHWM:"):
                    self.highest = max(self.highest, int(line.split()[1]))  # kB

    def stop(self) -> None:
        self._done.set()
        self._thread.join()


def mirror_and_reconcile(url: str, client: LedgerClient, start: int, database_url: str, tmp: Path) -> Figures:
    """Backfills the mirror from the node, then runs `ledger audit reconcile` on it as an auditor
    would (a process of its own, start-up included); the timings and what was checked."""
    engine = make_engine(database_url)
    indexer = Indexer(url, client.address, engine, start, Options())
    try:
        stats = indexer.run(follow=False)
    finally:
        indexer.close()
        engine.dispose()
    env = {**os.environ, "LEDGER_RPC_URL": url, "LEDGER_CONTRACT_ADDRESS": client.address,
           "LEDGER_DATABASE_URL": database_url, "LEDGER_DATA_DIR": str(tmp / "data")}  # fmt: skip
    began = time.perf_counter()
    child = subprocess.Popen(
        [sys.executable, "-m", "ledger.cli", "audit", "reconcile", "--json"], env=env, stdout=subprocess.PIPE
    )
    peak = PeakMemory(child.pid)
    assert child.stdout is not None
    output = child.stdout.read().decode()
    peak.stop()
    _, status, usage = os.wait4(child.pid, 0)  # this process's own CPU time
    seconds = time.perf_counter() - began
    child.returncode = os.waitstatus_to_exitcode(status)
    report = json.loads(output.strip().splitlines()[-1])
    if child.returncode != 0 or not report["ok"]:
        raise SystemExit(f"reconcile failed on an untouched mirror (exit {child.returncode}):\n{output}")
    return {
        "index_s": round(stats.seconds, 2),
        "reconcile_s": round(seconds, 2),
        "entries_per_second": round(report["mirror_entries"] / seconds),
        "rows_checked": report["rows_checked"],
        "players_checked": report["players_checked"],
        "reconcile_cpu_s": round(usage.ru_utime + usage.ru_stime, 2),  # steadier than wall time when busy
        "reconcile_peak_mb": round(peak.highest / 1024),
    }


def measure(node: LocalNode, tmp: Path, args: argparse.Namespace, figures: Figures) -> None:
    entries, players = int(figures["entries"]), int(figures["players"])
    w3 = Web3(Web3.HTTPProvider(node.url, request_kwargs={"timeout": 600}))
    client, sender, campaign, start = deploy(w3)
    figures["generate_s"] = round(generate(client, sender, campaign, entries, players), 1)
    # No more blocks: anvil recomputes its whole state root for each one, which would take the
    # CPU from what is measured (a real node runs on another machine).
    w3.provider.make_request("evm_setIntervalMining", [0])  # type: ignore[arg-type]
    figures["blocks"] = int(w3.eth.block_number) - start + 1
    figures["load_average"] = round(os.getloadavg()[0], 2)
    figures.update(mirror_and_reconcile(node.url, client, start, f"sqlite:///{tmp / 'mirror.db'}", tmp))
    if args.postgres_url:
        schema, url = fresh_pg_schema(args.postgres_url)
        try:
            found = mirror_and_reconcile(node.url, client, start, url, tmp)
            for key in (
                "index_s",
                "reconcile_s",
                "reconcile_cpu_s",
                "entries_per_second",
                "reconcile_peak_mb",
            ):
                figures[f"{key}_postgres"] = found[key]
        finally:
            drop_pg_schema(args.postgres_url, schema)
    figures["load_average_end"] = round(os.getloadavg()[0], 2)


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="20,000 entries (under two minutes)")
    parser.add_argument("--json", action="store_true", help="end with the figures as one JSON object")
    parser.add_argument(
        "--entries", type=int, help="entries to build (default 1,000,000; 20,000 with --quick)"
    )
    parser.add_argument("--postgres-url", default=os.environ.get("LEDGER_BENCH_DATABASE_URL") or os.environ.get("LEDGER_TEST_DATABASE_URL"),
                        help="PostgreSQL server for a second mirror (default LEDGER_BENCH_DATABASE_URL, then LEDGER_TEST_DATABASE_URL)")  # fmt: skip
    args = parser.parse_args()
    entries = args.entries or (20_000 if args.quick else 1_000_000)
    figures: Figures = {"entries": entries, "players": max(1, entries // 10), "cores": os.cpu_count() or 0}
    with tempfile.TemporaryDirectory() as tmp:
        node = LocalNode(Path(tmp), port=free_port(), persist=False, gas_limit=2_000_000_000, block_time=1)
        node.start()
        try:
            measure(node, Path(tmp), args, figures)
        finally:
            node.stop()
    report(figures)
    if args.json:
        print(json.dumps(figures))
    return 0


def report(f: Figures) -> None:
    print(
        f"{f['entries']:,} entries to {f['players']:,} players in batches of 500 over {f['blocks']:,} one-second "
        f"blocks (generated in {f['generate_s']} s); {f['cores']} cores, load {f['load_average']} to "
        f"{f['load_average_end']}"
    )
    rows = [("SQLite", "")] + ([("PostgreSQL", "_postgres")] if "reconcile_s_postgres" in f else [])
    for label, suffix in rows:
        print(
            f"  {label:<11} indexed in {f['index_s' + suffix]:>8.1f} s; `ledger audit reconcile` took "
            f"{f['reconcile_s' + suffix]:>7.1f} s ({f['reconcile_cpu_s' + suffix]:.1f} s of CPU, at most "
            f"{f['reconcile_peak_mb' + suffix]:,} MB), {f['entries_per_second' + suffix]:,} entries/s"
        )
    print(f"  each reconcile checked {f['rows_checked']:,} rows and {f['players_checked']:,} players")


if __name__ == "__main__":
    sys.exit(main())
