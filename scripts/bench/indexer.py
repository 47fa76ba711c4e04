#!/usr/bin/env python3
"""Indexer benchmark: cold backfill into SQLite and PostgreSQL, and freshness in follow mode.

Generates ledger entries on a private anvil through batch issuance (returning players), then
times, in the same run: the raw `eth_getLogs` fetch of every ledger log (the ceiling), a cold
backfill into a fresh SQLite file and into a fresh PostgreSQL schema (fetch, decode, write), and
the freshness in follow mode with one-second blocks: from a transaction's receipt to its row
being queryable. "Events" are ledger entries (a batch event carries many). `--quick` keeps the run
under two minutes; `--json` ends with one JSON object.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import statistics
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from eth_account import Account
from eth_utils.crypto import keccak
from sqlalchemy import Engine, create_engine, select, text
from web3 import Web3

from ledger.chain.client import LedgerClient
from ledger.chain.node import LocalNode
from ledger.chain.rpc import Rpc
from ledger.chain.sender import Sender
from ledger.db import tables as t
from ledger.db.engine import make_engine
from ledger.encoding import Row, pack_rows
from ledger.events import event_topic
from ledger.indexer.service import Indexer, Options
from ledger.ops.deploy import deploy_ledger
from ledger.ops.entries import create_campaign, set_role

TARGETS = {"events_per_second_sqlite": 20_000, "events_per_second_postgres": 10_000}
FRESHNESS_TARGET_S = 1.0
ROWS_PER_BATCH = 500
BATCH_TOPIC = "0x" + event_topic("BatchIssued").hex()
SINGLE_TOPICS = {
    "0x" + event_topic(n).hex()
    for n in ("RewardIssued", "PayoutRecorded", "RewardReversed", "BalanceExpired")
}


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def generate(client: LedgerClient, sender: Sender, campaign: bytes, entries: int, players: int) -> float:
    """Issues `entries` rewards in batches of 500 to `players` returning players; returns seconds."""
    keys = [secrets.token_bytes(32) for _ in range(players)]
    started = time.perf_counter()
    pending: list[bytes] = []
    for first in range(0, entries, ROWS_PER_BATCH):
        rows = [
            Row(keys[(first + i) % players], 100 + i, secrets.token_bytes(20)) for i in range(ROWS_PER_BATCH)
        ]
        data = client.encode("issueBatch", secrets.token_bytes(32), campaign, pack_rows(rows))
        pending.append(sender.send(client.address, data, 25_000_000))
        if len(pending) == 32:
            sender.wait(pending)
            pending = []
    sender.wait(pending)
    return time.perf_counter() - started


def getlogs_ceiling(url: str, address: str, first: int, last: int) -> tuple[float, int]:
    """Entries per second of the raw log fetch (HTTP and JSON parsing only), same ranges as the indexer."""
    rpc = Rpc(url, timeout=120)
    entries = 0
    started = time.perf_counter()
    for start in range(first, last + 1, 2_000):
        query = {
            "address": address.lower(),
            "fromBlock": hex(start),
            "toBlock": hex(min(start + 1_999, last)),
        }
        for log in rpc.call("eth_getLogs", [query]):
            data_len = (len(log["data"]) - 2) // 2
            # a BatchIssued carries 5 head words, then its 64-byte rows; every other entry event one entry
            topic = log["topics"][0]
            entries += (data_len - 5 * 32) // 64 if topic == BATCH_TOPIC else int(topic in SINGLE_TOPICS)
    return entries / (time.perf_counter() - started), entries


def backfill(url: str, address: str, engine: Engine, start: int) -> tuple[float, int]:
    indexer = Indexer(url, address, engine, start, Options())
    try:
        stats = indexer.run(follow=False)
    finally:
        indexer.close()
    return stats.entries / stats.seconds, stats.entries


def freshness(
    w3: Web3, client: LedgerClient, sender: Sender, campaign: bytes, engine: Engine, start: int, samples: int
) -> list[float]:
    """Seconds from each transaction's receipt to its entry being queryable, one-second blocks."""
    w3.provider.make_request("evm_setIntervalMining", [1])  # type: ignore[arg-type]
    indexer = Indexer(w3.provider.endpoint_uri, client.address, engine, start, Options(poll_interval=0.05))  # type: ignore[attr-defined]
    thread = threading.Thread(target=indexer.run, kwargs={"follow": True}, daemon=True)
    thread.start()
    rpc = Rpc(w3.provider.endpoint_uri, timeout=30)  # type: ignore[attr-defined]
    gas = 300_000
    out: list[float] = []
    try:
        for _ in range(samples):
            data = client.encode("issue", campaign, secrets.token_bytes(32), 5, secrets.token_bytes(32))
            tx = "0x" + sender.send(client.address, data, gas).hex()
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


def fresh_pg_schema(base: str) -> tuple[str, str]:
    schema = f"bench_{uuid.uuid4().hex[:10]}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    admin.dispose()
    return schema, f"{base}{'&' if '?' in base else '?'}options=-csearch_path%3D{schema}"


def drop_pg_schema(base: str, schema: str) -> None:
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


def deploy(w3: Web3) -> tuple[LedgerClient, Sender, bytes, int]:
    """A fresh ledger with an issuer and an open campaign; returns its deployment block too."""
    account = Account.create()
    w3.provider.make_request("anvil_setBalance", [account.address, hex(10**24)])  # type: ignore[arg-type]
    sender = Sender(w3, account, timeout=600)
    deployment = deploy_ledger(sender)
    client = LedgerClient(w3, deployment.address)
    set_role(client, sender, "issuer", account.address, granted=True)
    now = int(w3.eth.get_block("latest")["timestamp"])
    campaign = keccak(b"bench")
    create_campaign(client, sender, campaign, 2**127, keccak(b"terms"), now - 10, now + 10**8)
    return client, sender, campaign, deployment.block_number


def measure(
    node: LocalNode, tmp: Path, args: argparse.Namespace, figures: dict[str, float | int | str]
) -> None:
    entries, players = int(figures["entries"]), int(figures["players"])
    w3 = Web3(Web3.HTTPProvider(node.url, request_kwargs={"timeout": 300}))
    client, sender, campaign, start = deploy(w3)
    figures["generate_seconds"] = round(generate(client, sender, campaign, entries, players), 1)
    figures["load_average"] = round(os.getloadavg()[0], 2)
    ceiling, counted = getlogs_ceiling(node.url, client.address, start, w3.eth.block_number)
    figures["getlogs_events_per_second"] = ceiling
    sqlite = make_engine(f"sqlite:///{tmp / 'mirror.db'}")
    figures["events_per_second_sqlite"], indexed = backfill(node.url, client.address, sqlite, start)
    assert indexed == entries == counted, (indexed, entries, counted)
    if args.postgres_url:
        schema, url = fresh_pg_schema(args.postgres_url)
        try:
            pg = make_engine(url)
            figures["events_per_second_postgres"], _ = backfill(node.url, client.address, pg, start)
            pg.dispose()
        finally:
            drop_pg_schema(args.postgres_url, schema)
    samples = 15 if args.quick else 60
    times = freshness(w3, client, sender, campaign, sqlite, start, samples)
    figures["freshness_p50_s"] = round(statistics.median(times), 3)
    figures["freshness_p95_s"] = round(statistics.quantiles(times, n=20)[-1], 3)
    figures["freshness_samples"] = samples
    sqlite.dispose()


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a short run (under two minutes)")
    parser.add_argument("--json", action="store_true", help="end with the figures as one JSON object")
    parser.add_argument("--postgres-url", default=os.environ.get("LEDGER_BENCH_DATABASE_URL") or os.environ.get("LEDGER_TEST_DATABASE_URL"),
                        help="PostgreSQL server for the PostgreSQL backfill (default LEDGER_BENCH_DATABASE_URL, then LEDGER_TEST_DATABASE_URL)")  # fmt: skip
    args = parser.parse_args()
    entries = 20_000 if args.quick else 200_000
    figures: dict[str, float | int | str] = {
        "entries": entries,
        "players": entries // 10,
        "cores": os.cpu_count() or 0,
    }
    with tempfile.TemporaryDirectory() as tmp:
        node = LocalNode(Path(tmp), port=free_port(), persist=False, gas_limit=60_000_000)
        node.start()
        try:
            measure(node, Path(tmp), args, figures)
        finally:
            node.stop()
    report(figures)
    if args.json:
        print(
            json.dumps(
                {k: round(v, 1) if isinstance(v, float) and v > 100 else v for k, v in figures.items()}
            )
        )
    return 0


def report(f: dict[str, float | int | str]) -> None:
    ceiling = float(f["getlogs_events_per_second"])
    print(
        f"{f['entries']:,} entries to {f['players']:,} players in batches of {ROWS_PER_BATCH} (generated in {f['generate_seconds']} s); {f['cores']} cores, load {f['load_average']}"
    )
    print(f"  raw eth_getLogs fetch (ceiling)     {ceiling:>10,.0f} entries/s")
    for key, label in (("events_per_second_sqlite", "SQLite"), ("events_per_second_postgres", "PostgreSQL")):
        if key in f:
            value = float(f[key])
            verdict = "met" if value >= TARGETS[key] else "MISSED"
            print(
                f"  cold backfill into {label:<11}      {value:>10,.0f} entries/s   {value / ceiling:>6.1%} of the ceiling   target >= {TARGETS[key]:,} ({verdict})"
            )
    p95 = float(f["freshness_p95_s"])
    verdict = "met" if p95 < FRESHNESS_TARGET_S else "MISSED"
    print(
        f"  freshness, one-second blocks        p50 {f['freshness_p50_s']} s, p95 {p95} s over {f['freshness_samples']} transactions   target p95 < 1 s ({verdict})"
    )


if __name__ == "__main__":
    sys.exit(main())
