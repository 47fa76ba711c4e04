#!/usr/bin/env python3
"""API benchmark: history and balance requests/s and latency beside a bare endpoint, and `ledger verify`.

Builds a ledger on anvil (1,000,000 entries across 100,000 players; `--quick`: 50,000 across
5,000), mirrors it with the indexer into SQLite and, given a URL, PostgreSQL, serves each with
`ledger serve`, and loads it from a second process on loopback (`wrk` when installed, else a
Python load generator): a random player's history page, a random player's balance, and `/health`
(the bare endpoint) in the same run. Then times `ledger verify` of a 1,000-entry history.
`--json` ends with one JSON object.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

import httpx
from eth_account import Account
from eth_utils.crypto import keccak
from sqlalchemy import create_engine, text
from sqlmodel import SQLModel
from web3 import Web3

from ledger.chain.client import LedgerClient
from ledger.chain.node import LocalNode
from ledger.chain.sender import Sender
from ledger.db.engine import make_engine
from ledger.encoding import Row, text_to_bytes
from ledger.indexer.service import catch_up
from ledger.ops.batch import make_plan, run_plan
from ledger.ops.deploy import deploy_ledger
from ledger.ops.entries import create_campaign, set_role
from ledger.verify import LedgerApi, Rpc, verify_player

sys.path.insert(0, str(Path(__file__).resolve().parent))
from api_load import LoadResult, run_load

TARGETS = {"history_rps": 2000, "history_p99_ms": 50, "history_vs_bare": 0.5, "verify_1000_s": 2.0}
VERIFY_ENTRIES = 1000


@dataclass
class Ledger:
    node: LocalNode
    w3: Web3
    address: str
    deploy_block: int
    players: list[bytes]
    verify_player: bytes


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def build_ledger(node: LocalNode, entries: int, players: int) -> Ledger:
    """Batches spread `entries` rows over `players`; one more player gets 1,000 single-transaction entries."""
    w3 = Web3(Web3.HTTPProvider(node.url, request_kwargs={"timeout": 300}))
    account = Account.create()
    w3.provider.make_request("anvil_setBalance", [account.address, hex(10**26)])  # type: ignore[arg-type]
    sender = Sender(w3, account, timeout=600)
    deployment = deploy_ledger(sender)
    client = LedgerClient(w3, deployment.address)
    for role in ("issuer", "payer"):
        set_role(client, sender, role, account.address, granted=True)
    now = int(w3.eth.get_block("latest")["timestamp"])
    campaign = text_to_bytes("bench")
    create_campaign(client, sender, campaign, 2**127, keccak(b"bench terms"), now - 10, now + 10**8)
    keys = [secrets.token_bytes(32) for _ in range(players)]
    rows = [Row(keys[i % players], 1 + i % 1000, i.to_bytes(20, "big")) for i in range(entries)]
    random.Random(7).shuffle(rows)
    started = time.perf_counter()
    run_plan(client, sender, make_plan(rows, secrets.token_hex(32), campaign, 2000), rows, max_in_flight=16)
    heavy = secrets.token_bytes(32)
    calls = [client.encode("issue", campaign, heavy, 1000, secrets.token_bytes(32)) for _ in range(900)]
    calls += [client.encode("recordPayout", heavy, 7, secrets.token_bytes(32)) for _ in range(100)]
    gas = sender.estimate(client.address, calls[0]) + 40_000
    for start in range(0, len(calls), 50):
        sender.wait([sender.send(client.address, data, gas) for data in calls[start : start + 50]])
    log(
        f"  {entries:,} batch rows + {VERIFY_ENTRIES} single entries on chain in {time.perf_counter() - started:.0f} s"
    )
    return Ledger(node, w3, client.address, deployment.block_number, keys, heavy)


def index(ledger: Ledger, url: str) -> float:
    engine = make_engine(url)
    started = time.perf_counter()
    try:
        stats = catch_up(ledger.w3, ledger.address, engine, start_block=ledger.deploy_block)
        seconds = time.perf_counter() - started
        if engine.dialect.name == "postgresql":
            # What autovacuum would do minutes after a bulk load, done now so that it does not
            # run during the measurement: visibility map and planner statistics of the new rows.
            with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.execute(
                    text(f"VACUUM ANALYZE {', '.join(t.name for t in SQLModel.metadata.sorted_tables)}")
                )
    finally:
        engine.dispose()
    log(f"  indexed {stats.entries:,} entries in {seconds:.0f} s")
    return seconds


@contextmanager
def postgres_schema(base: str) -> Iterator[str]:
    schema = f"bench_{secrets.token_hex(6)}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield f"{base}{'&' if '?' in base else '?'}options=-csearch_path%3D{schema}"
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@contextmanager
def serving(url: str, ledger: Ledger, workers: int, data_dir: Path) -> Iterator[str]:
    """`ledger serve` in its own process over the mirror at `url`."""
    port = free_port()
    env = {**os.environ, "LEDGER_DATABASE_URL": url, "LEDGER_RPC_URL": ledger.node.url,
           "LEDGER_DATA_DIR": str(data_dir), "LEDGER_CONTRACT_ADDRESS": ledger.address}  # fmt: skip
    env.pop("LEDGER_API_TOKEN", None)
    command = [sys.executable, "-c", "from ledger.cli.main import main; main()", "serve", "--port", str(port),
               "--workers", str(workers)]  # fmt: skip
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(base + "/ready", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"ledger serve did not start: {process.stderr.read().decode()[-2000:]}")  # type: ignore[union-attr]
            time.sleep(0.1)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=30)


def measure(base: str, ledger: Ledger, seconds: float, connections: int) -> dict[str, float]:
    sample = random.Random(11).sample(ledger.players, min(2000, len(ledger.players)))
    targets = {
        "bare": ["/health"],
        "history": [f"/v1/players/0x{p.hex()}/history" for p in sample],
        "balance": [f"/v1/players/0x{p.hex()}/balance" for p in sample],
    }
    figures: dict[str, float] = {}
    for paths in targets.values():  # warm-up of each: connections, prepared statements, caches
        run_load(base, paths, 2, connections)
    for name, paths in targets.items():
        result: LoadResult = run_load(base, paths, seconds, connections)
        if result.errors:
            raise RuntimeError(f"{name}: {result.errors} failed requests of {result.requests}")
        figures[f"{name}_rps"], figures[f"{name}_p50_ms"], figures[f"{name}_p99_ms"] = (
            result.rps,
            result.p50_ms,
            result.p99_ms,
        )
        log(
            f"  {name:<8} {result.rps:>8,.0f} req/s   p50 {result.p50_ms:6.2f} ms   p99 {result.p99_ms:6.2f} ms"
        )
    return figures


def time_verify(base: str, ledger: Ledger) -> dict[str, float]:
    """`ledger verify` of the 1,000-entry player: the whole command (interpreter start and the
    CLI's imports included), and the verification alone in this process."""
    command = [sys.executable, "-c", "from ledger.cli.main import main; main()", "verify", "0x" + ledger.verify_player.hex(),
               "--api", base, "--rpc", ledger.node.url, "--contract", ledger.address]  # fmt: skip
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    command_s = time.perf_counter() - started
    if done.returncode != 0 or f"VERIFIED: {VERIFY_ENTRIES} entries" not in done.stdout:
        raise RuntimeError(
            f"ledger verify failed ({done.returncode}): {done.stdout[-500:]} {done.stderr[-500:]}"
        )
    api, rpc = LedgerApi(base), Rpc(ledger.node.url)
    started = time.perf_counter()
    report = verify_player(api, rpc, ledger.verify_player, ledger.address)
    work_s = time.perf_counter() - started
    assert report.ok and report.entries == VERIFY_ENTRIES, report.problems[:5]
    log(
        f"  ledger verify of {VERIFY_ENTRIES} entries: {command_s:.2f} s whole command, {work_s:.2f} s verifying"
    )
    return {"verify_1000_s": command_s, "verify_1000_work_s": work_s}


def log(line: str) -> None:
    print(line, flush=True)


def run(args: argparse.Namespace, tmp: Path) -> dict[str, float | str]:
    entries, players = (50_000, 5_000) if args.quick else (1_000_000, 100_000)
    seconds = 3.0 if args.quick else args.seconds
    node = LocalNode(tmp / "node", port=free_port(), persist=False, gas_limit=300_000_000)
    node.start()
    figures: dict[str, float | str] = {"entries": entries + VERIFY_ENTRIES, "players": players + 1}
    try:
        log(f"building the ledger: {entries:,} entries across {players:,} players")
        ledger = build_ledger(node, entries, players)
        databases = [("sqlite", f"sqlite:///{tmp / 'mirror.db'}")]
        if args.postgres:
            databases.append(("postgres", args.postgres))
        for name, url in databases:
            log(f"{name}:")
            with postgres_schema(url) if name == "postgres" else _same(url) as db_url:
                figures[f"index_s_{name}"] = index(ledger, db_url)
                with serving(db_url, ledger, args.workers, tmp) as base:
                    for key, value in measure(base, ledger, seconds, args.connections).items():
                        figures[f"{key}_{name}"] = value
                    if name == "sqlite":
                        figures.update(time_verify(base, ledger))
            for leftover in tmp.glob("mirror.db*"):  # a million-entry file is 2 GB: free it before the next
                leftover.unlink()
    finally:
        node.stop()
    for key in (
        "history_rps",
        "history_p50_ms",
        "history_p99_ms",
        "balance_rps",
        "balance_p99_ms",
        "bare_rps",
    ):
        figures[key] = figures[f"{key}_sqlite"]
    return figures


@contextmanager
def _same(url: str) -> Iterator[str]:
    yield url


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a short run (under two minutes)")
    parser.add_argument("--json", action="store_true", help="end with the figures as one JSON object")
    parser.add_argument("--postgres", default=os.environ.get("LEDGER_TEST_DATABASE_URL"),
                        help="PostgreSQL URL (default LEDGER_TEST_DATABASE_URL); unset skips PostgreSQL")  # fmt: skip
    parser.add_argument("--seconds", type=float, default=10.0, help="load duration per endpoint")
    parser.add_argument("--connections", type=int, default=16, help="concurrent keep-alive connections")
    parser.add_argument("--workers", type=int, default=1, help="`ledger serve` worker processes")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        figures = run(args, Path(tmp))
    figures["load_generator"] = "wrk" if shutil.which("wrk") else "python"
    figures["history_vs_bare"] = float(figures["history_rps"]) / float(figures["bare_rps"])
    report(figures)
    if args.json:
        print(json.dumps({k: round(v, 3) if isinstance(v, float) else v for k, v in figures.items()}))
    return 0


def report(figures: dict[str, float | str]) -> None:
    log(f"targets (SQLite, {figures['load_generator']} on loopback):")
    for key, target in TARGETS.items():
        value = float(figures[key])
        met = value <= target if key.endswith(("_ms", "_s")) else value >= target
        log(
            f"  {key:<16} {value:>10.2f}   target {'<' if key.endswith(('_ms', '_s')) else '>='} {target}   {'met' if met else 'MISSED'}"
        )
    for db in ("sqlite", "postgres"):
        if f"history_rps_{db}" in figures:
            ratio = float(figures[f"history_rps_{db}"]) / float(figures[f"bare_rps_{db}"])
            log(f"  {db}: history {float(figures[f'history_rps_{db}']):,.0f} req/s = {ratio:.2f} of bare")


if __name__ == "__main__":
    sys.exit(main())
