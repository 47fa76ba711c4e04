#!/usr/bin/env python3
"""Indexer benchmark: `ledger index --until-head` from the shell, process start included.

Builds two chains of the same entries on private anvils, issued in batches of 500 rows to
returning players: one batch per block (automine), and one-second blocks holding many batches
(the README's advice for bulk issuance). On each, in the same run: the time to read the logs of
the whole range with `eth_getLogs` (the baseline), then `ledger index --until-head` into a fresh
SQLite file and a fresh PostgreSQL schema, timed from process start to exit (median of 5). Then
the floor the SQL work sets (the same rows inserted with no secondary index, the indexes built
once), `ledger --help` and a start of `ledger index` on a mirror that is up to date, and the
freshness in follow mode with one-second blocks. Figures count ledger entries, not logs.
`--quick` runs 20,000 entries three times; `--json` ends with one JSON object.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import secrets
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from sqlalchemy import Engine, select
from web3 import Web3

from ledger.chain.client import LedgerClient
from ledger.chain.node import LocalNode
from ledger.chain.rpc import Rpc
from ledger.chain.sender import Sender
from ledger.db import tables as t
from ledger.db.bulk import drop_indexes, restore_indexes
from ledger.db.engine import make_engine
from ledger.db.migrate import upgrade
from ledger.indexer.load import prepare_rows
from ledger.indexer.service import Indexer, Options
from ledger.indexer.transform import MirrorHead, transform
from scripts.bench.chain import deploy, drop_pg_schema, free_port, fresh_pg_schema, generate

TARGET = 50_000  # entries/s, end to end
STARTUP_TARGET_S = 0.3
FRESHNESS_TARGET_S = 1.0
SHAPES = {"": "one batch per block", "_1s_blocks": "one-second blocks, many batches each"}
Figures = dict[str, float | int | str]


def median_of(runs: int, once: Callable[[], float]) -> float:
    return statistics.median(once() for _ in range(runs))


def read_logs(url: str, address: str, first: int, last: int) -> float:
    """Seconds to fetch every ledger log of the range (HTTP and JSON parsing only)."""
    rpc = Rpc(url, timeout=300)
    began = time.perf_counter()
    for start in range(first, last + 1, 2_000):
        query = {
            "address": address.lower(),
            "fromBlock": hex(start),
            "toBlock": hex(min(start + 1_999, last)),
        }
        rpc.call("eth_getLogs", [query])
    rpc.close()
    return time.perf_counter() - began


def index_once(env: dict[str, str], start: int) -> tuple[float, float]:
    """`ledger index --until-head` as a process of its own: wall seconds and CPU seconds."""
    command = [sys.executable, "-m", "ledger.cli", "index", "--until-head", "-q", "--from-block", str(start)]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    began = time.perf_counter()
    done = subprocess.run(command, env={**os.environ, **env}, capture_output=True)
    seconds = time.perf_counter() - began
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0 or not done.stdout.startswith(b"caught up"):
        raise SystemExit(f"ledger index failed ({done.returncode}): {done.stderr.decode()[-2000:]}")
    return seconds, after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime


@contextmanager
def database(kind: str, tmp: Path, postgres: str | None) -> Iterator[str]:
    """A fresh, empty mirror database: a new SQLite file, or a new PostgreSQL schema."""
    if kind == "sqlite":
        path = tmp / f"mirror-{secrets.token_hex(4)}.db"
        yield f"sqlite:///{path}"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        return
    assert postgres is not None
    schema, url = fresh_pg_schema(postgres)
    try:
        yield url
    finally:
        drop_pg_schema(postgres, schema)


def end_to_end(
    node: LocalNode, address: str, start: int, tmp: Path, kind: str, args: argparse.Namespace
) -> list[float]:
    walls, cpus = [], []
    for _ in range(args.runs):
        with database(kind, tmp, args.postgres_url) as url:
            env = {"LEDGER_RPC_URL": node.url, "LEDGER_CONTRACT_ADDRESS": address, "LEDGER_DATABASE_URL": url,
                   "LEDGER_DATA_DIR": str(tmp / "data")}  # fmt: skip
            wall, cpu = index_once(env, start)
            walls.append(wall)
            cpus.append(cpu)
    return [statistics.median(walls), statistics.median(cpus)]


def sql_floor(url: str, node_url: str, address: str, start: int) -> tuple[float, float, float, float]:
    """Wall and CPU seconds (this process's) to decode the range (fetch, hash chain, rows), and to
    write its entries bare: no aggregates, no cursor, one transaction, the secondary indexes built
    once at the end."""
    indexer = Indexer(node_url, address, make_engine(url), start, Options())
    state = indexer.prepare()
    head = indexer.extractor.head_number()
    began, cpu = time.perf_counter(), time.process_time()
    data = indexer.extractor.read_range(start, head, state.last_block_hash, budget=10**12)
    batch = transform(data.logs, data.blocks, MirrorHead(), state.chain_id, state.contract)
    rows = prepare_rows(batch, indexer.engine.dialect.name)["entries"]
    decoded, decoded_cpu = time.perf_counter() - began, time.process_time() - cpu
    engine = indexer.engine
    with engine.begin() as conn:  # the entries' event rows: one placeholder (foreign key)
        event = {**batch.events[0], "tx_hash": "0x" + "00" * 32}
        event_id = conn.execute(t.events.insert().values(**event).returning(t.events.c.id)).scalar_one()
    drop_indexes(engine)
    began, cpu = time.perf_counter(), time.process_time()
    with engine.begin() as conn:
        t.bulk_insert(
            conn, t.entries, t.DriverRows([*rows.columns, "event_id"], [(*v, event_id) for v in rows.values])
        )
    restore_indexes(engine)
    written, written_cpu = time.perf_counter() - began, time.process_time() - cpu
    indexer.close()
    engine.dispose()
    return decoded, decoded_cpu, written, written_cpu


def freshness(
    w3: Web3, client: LedgerClient, sender: Sender, campaign: bytes, engine: Engine, start: int, samples: int
) -> list[float]:
    """Seconds from each transaction's receipt to its entry being queryable, one-second blocks."""
    w3.provider.make_request("evm_setIntervalMining", [1])  # type: ignore[arg-type]
    url = w3.provider.endpoint_uri  # type: ignore[attr-defined]
    indexer = Indexer(url, client.address, engine, start, Options(poll_interval=0.05))
    thread = threading.Thread(target=indexer.run, kwargs={"follow": True}, daemon=True)
    thread.start()
    rpc = Rpc(url, timeout=30)
    out: list[float] = []
    try:
        for _ in range(samples):
            data = client.encode("issue", campaign, secrets.token_bytes(32), 5, secrets.token_bytes(32))
            tx = "0x" + sender.send(client.address, data, 300_000).hex()
            while rpc.call("eth_getTransactionReceipt", [tx]) is None:
                time.sleep(0.002)
            seen = time.perf_counter()
            while not _queryable(engine, tx):
                time.sleep(0.002)
            out.append(time.perf_counter() - seen)
    finally:
        indexer.stop.set()
        thread.join(timeout=10)
        indexer.close()
    return out


def _queryable(engine: Engine, tx: str) -> bool:
    with engine.connect() as conn:
        return (
            conn.execute(select(t.entries.c.seq).where(t.entries.c.tx_hash == tx).limit(1)).first()
            is not None
        )


def timed(command: list[str]) -> tuple[float, float]:
    """Wall and CPU seconds of one run of `command`, process start to exit."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    began = time.perf_counter()
    subprocess.run(command, check=True, capture_output=True)
    wall = time.perf_counter() - began
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime


def medians(runs: int, once: Callable[[], tuple[float, float]]) -> tuple[float, float]:
    """Median wall and median CPU seconds of `runs` runs."""
    results = [once() for _ in range(runs)]
    return statistics.median(r[0] for r in results), statistics.median(r[1] for r in results)


def shape(suffix: str, tmp: Path, args: argparse.Namespace, f: Figures) -> None:
    """One chain shape: build it, then the baseline, the floor and the end-to-end runs."""
    one_second = bool(suffix)
    node = LocalNode(tmp / f"node{suffix}", port=free_port(), persist=False,
                     gas_limit=2_000_000_000 if one_second else 60_000_000, block_time=1 if one_second else None)  # fmt: skip
    node.start()
    try:
        w3 = Web3(Web3.HTTPProvider(node.url, request_kwargs={"timeout": 600}))
        client, sender, campaign, start = deploy(w3)
        f[f"generate_s{suffix}"] = round(
            generate(client, sender, campaign, int(f["entries"]), int(f["players"])), 1
        )
        if one_second:  # no more blocks: anvil would take CPU from what is measured
            w3.provider.make_request("evm_setIntervalMining", [0])  # type: ignore[arg-type]
        head = int(w3.eth.block_number)
        f[f"blocks{suffix}"] = head - start + 1
        f[f"getlogs_s{suffix}"] = round(
            median_of(args.runs, lambda: read_logs(node.url, client.address, start, head)), 3
        )
        f[f"load_average{suffix}"] = round(os.getloadavg()[0], 2)
        kinds = ["sqlite"] + (["postgres"] if args.postgres_url else [])
        for kind in kinds:
            wall, cpu = end_to_end(node, client.address, start, tmp, kind, args)
            f[f"index_s_{kind}{suffix}"], f[f"index_cpu_s_{kind}{suffix}"] = round(wall, 2), round(cpu, 2)
            f[f"entries_per_second_{kind}{suffix}"] = round(int(f["entries"]) / wall)
            if not one_second:
                with database(kind, tmp, args.postgres_url) as url:
                    decoded, decoded_cpu, written, written_cpu = sql_floor(
                        url, node.url, client.address, start
                    )
                f["decode_s"], f["decode_cpu_s"] = round(decoded, 2), round(decoded_cpu, 2)
                f[f"bare_write_s_{kind}"], f[f"bare_write_cpu_s_{kind}"] = (
                    round(written, 2),
                    round(written_cpu, 2),
                )
        if not one_second:
            with database("sqlite", tmp, None) as url:
                env = {
                    "LEDGER_RPC_URL": node.url,
                    "LEDGER_CONTRACT_ADDRESS": client.address,
                    "LEDGER_DATABASE_URL": url,
                }
                index_once(env, start)  # a mirror at the head: what is left is start-up and one poll
                wall, cpu = medians(args.runs, lambda: index_once(env, start))
                f["index_startup_s"], f["index_startup_cpu_s"] = round(wall, 3), round(cpu, 3)
                engine = make_engine(url)
                upgrade(engine)
                samples = 15 if args.quick else 60
                times = freshness(w3, client, sender, campaign, engine, start, samples)
                engine.dispose()
            f["freshness_p50_s"] = round(statistics.median(times), 3)
            f["freshness_p95_s"] = round(statistics.quantiles(times, n=20)[-1], 3)
            f["freshness_samples"] = samples
    finally:
        node.stop()


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="20,000 entries, three runs each")
    parser.add_argument("--json", action="store_true", help="end with the figures as one JSON object")
    parser.add_argument(
        "--entries", type=int, help="entries per chain (default 100,000; 20,000 with --quick)"
    )
    parser.add_argument("--postgres-url", default=os.environ.get("LEDGER_BENCH_DATABASE_URL") or os.environ.get("LEDGER_TEST_DATABASE_URL"),
                        help="PostgreSQL server for the PostgreSQL runs (default LEDGER_BENCH_DATABASE_URL, then LEDGER_TEST_DATABASE_URL)")  # fmt: skip
    args = parser.parse_args()
    args.runs = 3 if args.quick else 5
    entries = args.entries or (20_000 if args.quick else 100_000)
    f: Figures = {
        "entries": entries,
        "players": max(1, entries // 10),
        "cores": os.cpu_count() or 0,
        "runs": args.runs,
    }
    f["load_average_start"] = round(os.getloadavg()[0], 2)
    f["python_start_s"] = round(medians(args.runs, lambda: timed([sys.executable, "-c", "pass"]))[0], 3)
    wall, cpu = medians(args.runs, lambda: timed([sys.executable, "-m", "ledger.cli", "--help"]))
    f["startup_s"], f["startup_cpu_s"] = round(wall, 3), round(cpu, 3)
    with tempfile.TemporaryDirectory() as tmp:
        for suffix in SHAPES:
            shape(suffix, Path(tmp), args, f)
    f["load_average_end"] = round(os.getloadavg()[0], 2)
    report(f)
    if args.json:
        print(json.dumps(f))
    return 0


def report(f: Figures) -> None:
    def verdict(ok: bool) -> str:
        return "met" if ok else "MISSED"

    print(f"{f['entries']:,} entries to {f['players']:,} players in batches of 500, median of {f['runs']} runs; "
          f"{f['cores']} cores, load {f['load_average_start']} to {f['load_average_end']}")  # fmt: skip
    print(f"  `ledger --help`        {f['startup_s']:.3f} s, {f['startup_cpu_s']:.3f} s CPU (a bare Python start: {f['python_start_s']:.3f} s)   "
          f"target <= {STARTUP_TARGET_S} s ({verdict(float(f['startup_s']) <= STARTUP_TARGET_S)})")  # fmt: skip
    print(
        f"  `ledger index` start on an up-to-date mirror: {f['index_startup_s']:.3f} s, {f['index_startup_cpu_s']:.3f} s CPU"
    )
    for suffix, label in SHAPES.items():
        logs = float(f[f"getlogs_s{suffix}"])
        print(
            f"  {label} ({f[f'blocks{suffix}']:,} blocks): reading the logs takes {logs:.3f} s (the baseline)"
        )
        for kind, name in (("sqlite", "SQLite"), ("postgres", "PostgreSQL")):
            key = f"entries_per_second_{kind}{suffix}"
            if key in f:
                seconds = float(f[f"index_s_{kind}{suffix}"])
                print(f"    `ledger index` into {name:<10} {seconds:6.2f} s ({f[f'index_cpu_s_{kind}{suffix}']} s CPU), "
                      f"{f[key]:>7,} entries/s, {seconds / logs:5.0f}x the log read   target >= {TARGET:,} "
                      f"({verdict(int(f[key]) >= TARGET)})")  # fmt: skip
    floors = ", ".join(
        f"{kind} {f[f'bare_write_s_{kind}']} s ({f[f'bare_write_cpu_s_{kind}']} s CPU in this process)"
        for kind in ("sqlite", "postgres")
        if f"bare_write_s_{kind}" in f
    )
    print(f"  floor, one batch per block: decoding the range in one piece {f['decode_s']} s ({f['decode_cpu_s']} s CPU); "
          f"writing its entries bare (no aggregates, indexes built at the end): {floors}")  # fmt: skip
    p95 = float(f["freshness_p95_s"])
    print(f"  freshness, one-second blocks: p50 {f['freshness_p50_s']} s, p95 {p95} s over {f['freshness_samples']} "
          f"transactions   target p95 < 1 s ({verdict(p95 < FRESHNESS_TARGET_S)})")  # fmt: skip


if __name__ == "__main__":
    sys.exit(main())
