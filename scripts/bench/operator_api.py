#!/usr/bin/env python3
"""Operator API benchmark: acceptance latency and rewards landed per second through the API.

Starts anvil (one-second blocks), deploys a ledger, runs `ledger serve` with the sender
(`LEDGER_OPERATOR_SEND=1`) over a SQLite file (or `--database-url`), and posts rewards in
500-row requests from 8 concurrent clients: `accept_p99_ms` is the 99th percentile of a request's
answer time, `landed_rewards_per_second` the rewards over the time from the first request to the
last row mined. The baseline, in the same run on the same node, is the CLI's path
(`ledger.ops.issuance.issue_rewards`, what `ledger issue-batch` runs) on as many rewards:
`cli_rewards_per_second`. Then, on a node that finalises two blocks deep, single rewards posted
one at a time to a registered webhook: `post_to_webhook_p95_s`, from the post to the arrival of
its `write.final` delivery. `--quick` posts 10,000 rewards and 20 single ones, else 100,000 and
100; `--json` ends with one JSON object.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

import httpx
from sqlalchemy import func, select

from ledger.chain.client import LedgerClient
from ledger.chain.node import LocalNode
from ledger.chain.sender import Sender
from ledger.db.engine import make_engine
from ledger.db.migrate import upgrade
from ledger.encoding import Row, text_to_bytes
from ledger.operator import tables as t
from ledger.operator.tokens import create_token
from ledger.ops.issuance import RewardRows, issue_rewards
from ledger.ops.writer import Writer
from scripts.bench.indexer import drop_pg_schema, fresh_pg_schema
from scripts.bench.issuance import free_port, ledger_on

CLIENTS, PER_REQUEST = 8, 500
TARGETS = {"accept_p99_ms": 50.0, "landed_rewards_per_second": 10_000.0, "post_to_webhook_p95_s": 3.0}


def rows_of(count: int, prefix: str) -> list[dict[str, str]]:
    return [
        {"player": "0x" + secrets.token_hex(32), "amount": "250", "reference": f"{prefix}{i}"}
        for i in range(count)
    ]


def post_all(base: str, token: str, requests: list[dict[str, object]]) -> list[float]:
    """Posts `requests` from `CLIENTS` threads; the seconds each took to be answered."""
    latencies: list[float] = []
    lock = threading.Lock()
    todo = list(enumerate(requests))

    def client() -> None:
        with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {token}"}, timeout=60) as http:
            while True:
                with lock:
                    if not todo:
                        return
                    _, body = todo.pop()
                started = time.perf_counter()
                answer = http.post("/v1/operator/rewards", json=body)
                took = time.perf_counter() - started
                assert answer.status_code == 202, answer.text[:300]
                with lock:
                    latencies.append(took)

    threads = [threading.Thread(target=client) for _ in range(CLIENTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return latencies


def ledger(cfg: dict[str, str], log: Path, *args: str) -> subprocess.Popen[bytes]:
    env = {**{k: v for k, v in os.environ.items() if not k.startswith("LEDGER_")}, **cfg}
    command = [sys.executable, "-c", "from ledger.cli.main import main; main()", *args]
    return subprocess.Popen(command, env=env, stdout=log.open("wb"), stderr=subprocess.STDOUT)


def serve(cfg: dict[str, str], port: int, log: Path) -> subprocess.Popen[bytes]:
    process = ledger({**cfg, "LEDGER_OPERATOR_SEND": "1"}, log, "serve", "--port", str(port))
    for _ in range(600):
        try:
            if httpx.get(f"http://127.0.0.1:{port}/health", timeout=1).status_code == 200:
                return process
        except httpx.HTTPError:
            time.sleep(0.1)
    raise SystemExit("ledger serve did not start: " + log.read_text()[-2000:])


def landed(engine: object, total: int, timeout: float) -> float:
    """Waits until every outbox row is mined or final; the time it happened."""
    deadline = time.monotonic() + timeout
    query = select(func.count()).select_from(t.writes).where(t.writes.c.status.in_(["mined", "final"]))
    while time.monotonic() < deadline:
        with engine.connect() as conn:  # type: ignore[attr-defined]
            if conn.execute(query).scalar_one() >= total:
                return time.perf_counter()
        time.sleep(0.05)
    raise SystemExit(f"not every reward landed within {timeout:g} s")


def cli_rate(client: LedgerClient, sender: Sender, campaign: bytes, count: int, data_dir: Path) -> float:
    rows = [Row(secrets.token_bytes(32), 250, text_to_bytes(f"c{i}", 20)) for i in range(count)]
    writer = Writer(client, sender, data_dir, 0, None, lock_wait=60)
    started = time.perf_counter()
    issue_rewards(writer, RewardRows(campaign, rows, {}, "cli"), 500, 32)
    return count / (time.perf_counter() - started)


@contextmanager
def ledger_node(
    tmp: Path, name: str, slots: int = 32
) -> Iterator[tuple[LocalNode, LedgerClient, Sender, bytes]]:
    """anvil with one-second blocks, a deployed ledger, an issuer and an open campaign `bench`."""
    node = LocalNode(
        tmp / name,
        port=free_port(),
        persist=False,
        gas_limit=2_000_000_000,
        block_time=1,
        slots_in_an_epoch=slots,
    )
    with ledger_on(node) as (client, sender, campaign):
        yield node, client, sender, campaign


def environment(tmp: Path, node: LocalNode, client: LedgerClient, sender: Sender, url: str) -> dict[str, str]:
    return {"LEDGER_DATABASE_URL": url, "LEDGER_RPC_URL": node.url, "LEDGER_DATA_DIR": str(tmp / "data"),
            "LEDGER_CONTRACT_ADDRESS": client.address, "LEDGER_PRIVATE_KEY": sender.account.key.to_0x_hex(),
            "LEDGER_OPERATOR_POLL": "0.05"}  # fmt: skip


def throughput(tmp: Path, rewards: int, database_url: str | None) -> dict[str, float]:
    """The CLI path's rate, then 8 clients posting 500-row requests: latency and landed rate."""
    with ledger_node(tmp, "node") as (node, client, sender, campaign):
        figures = {"cli_rewards_per_second": cli_rate(client, sender, campaign, rewards, tmp / "cli")}
        url = database_url or f"sqlite:///{tmp / 'ledger.db'}"
        upgrade(url)
        engine = make_engine(url)
        token, port, cfg = (
            create_token(engine, "issuer")[1],
            free_port(),
            environment(tmp, node, client, sender, url),
        )
        # the mirror kept current, as an operator runs it: look-ups read it, then the newest logs
        processes = [ledger(cfg, tmp / "index.log", "index"), serve(cfg, port, tmp / "serve.log")]
        try:
            rows = rows_of(rewards, "a")
            requests: list[dict[str, object]] = [
                {"campaign": "bench", "rows": rows[i : i + PER_REQUEST]}
                for i in range(0, rewards, PER_REQUEST)
            ]
            started = time.perf_counter()
            latencies = post_all(f"http://127.0.0.1:{port}", token, requests)
            done = landed(engine, rewards, 900)
            assert client.chain_state()[0] == 2 * rewards  # the CLI's and the API's, each once
        finally:
            stop(processes)
            engine.dispose()
    figures["accept_p99_ms"] = statistics.quantiles(latencies, n=100)[98] * 1000
    figures["accept_p50_ms"] = statistics.median(latencies) * 1000
    figures["landed_rewards_per_second"] = rewards / (done - started)
    figures["landed_vs_cli"] = figures["landed_rewards_per_second"] / figures["cli_rewards_per_second"]
    figures["rewards_timed"] = rewards
    return figures


def webhook_latency(tmp: Path, samples: int) -> list[float]:
    """Seconds from posting one reward alone to its `write.final` webhook arriving, each in turn.

    The node finalises two blocks behind its head (`--slots-in-an-epoch 1`)."""
    arrived: dict[str, float] = {}
    receiver = start_receiver(arrived)
    with ledger_node(tmp, "hooks", slots=1) as (node, client, sender, _):
        url = f"sqlite:///{tmp / 'hooks.db'}"
        upgrade(url)
        engine = make_engine(url)
        token, port = create_token(engine, "admin")[1], free_port()
        processes = [serve(environment(tmp, node, client, sender, url), port, tmp / "hooks.log")]
        http = httpx.Client(base_url=f"http://127.0.0.1:{port}", headers={"Authorization": f"Bearer {token}"})
        try:
            hook = http.post(
                "/v1/operator/webhooks", json={"url": f"http://127.0.0.1:{receiver.server_port}/"}
            )
            assert hook.status_code == 201, hook.text
            took = []
            for i in range(samples):
                body = {"campaign": "bench", "rows": rows_of(1, f"w{i}-")}
                started = time.perf_counter()
                assert http.post("/v1/operator/rewards", json=body).status_code == 202
                reference = body["rows"][0]["reference"]
                while reference not in arrived:
                    assert time.perf_counter() - started < 120, "no webhook within 120 s"
                    time.sleep(0.01)
                took.append(arrived[reference] - started)
        finally:
            http.close()
            stop(processes)
            receiver.shutdown()
            engine.dispose()
    return took


def start_receiver(arrived: dict[str, float]) -> ThreadingHTTPServer:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            if body["event"] == "write.final":
                arrived[body["write"]["reference"]] = time.perf_counter()
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args: object) -> None:
            return None

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def stop(processes: list[subprocess.Popen[bytes]]) -> None:
    for process in processes:
        process.terminate()
        process.wait(30)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="10,000 rewards instead of 100,000")
    parser.add_argument("--json", action="store_true", help="end with the figures as one JSON object")
    parser.add_argument(
        "--database-url",
        help="a PostgreSQL server for the outbox and mirror, in a schema of its own (default SQLite)",
    )
    args = parser.parse_args()
    schema, url = fresh_pg_schema(args.database_url) if args.database_url else (None, None)
    try:
        with tempfile.TemporaryDirectory() as tmp:
            figures = throughput(Path(tmp), 10_000 if args.quick else 100_000, url)
            hooks = webhook_latency(Path(tmp), 20 if args.quick else 100)
    finally:
        if schema is not None and args.database_url:
            drop_pg_schema(args.database_url, schema)
    figures["post_to_webhook_p95_s"] = statistics.quantiles(hooks, n=20)[18]
    figures["post_to_webhook_p50_s"] = statistics.median(hooks)
    report(figures)
    if args.json:
        print(json.dumps({k: round(v, 3) if isinstance(v, float) else v for k, v in figures.items()}))
    return 0


def report(figures: dict[str, float]) -> None:
    n = int(figures["rewards_timed"])
    print(f"operator API, {n:,} rewards in {PER_REQUEST}-row requests from {CLIENTS} clients, 1 s blocks")
    print(
        f"  acceptance p50 / p99         {figures['accept_p50_ms']:>9.1f} / {figures['accept_p99_ms']:.1f} ms   target p99 <= 50"
    )
    print(
        f"  landed end to end            {figures['landed_rewards_per_second']:>9,.0f} rewards/s   target >= 10,000"
    )
    print(f"  baseline: the CLI's path     {figures['cli_rewards_per_second']:>9,.0f} rewards/s")
    print(f"  ratio API / CLI              {figures['landed_vs_cli']:>9.2f}x")
    print(
        f"  one reward to its final webhook p50 / p95  {figures['post_to_webhook_p50_s']:.2f} / "
        f"{figures['post_to_webhook_p95_s']:.2f} s   target p95 <= 3 (1 s blocks, final 2 blocks deep)"
    )
    for key, target in TARGETS.items():
        met = figures[key] >= target if key == "landed_rewards_per_second" else figures[key] <= target
        print(f"  {key:<28} {'met' if met else 'MISSED'}")


if __name__ == "__main__":
    sys.exit(main())
