"""Claiming waiting rows: concurrent claimers never take the same row (SKIP LOCKED on PostgreSQL,
the write lock on SQLite), and a row whose claim lapsed (its sender died) is claimed again."""

from __future__ import annotations

import secrets
import time
from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import update

from ledger.db.engine import make_engine
from ledger.db.migrate import upgrade
from ledger.operator import queue
from ledger.operator import tables as t
from ledger.operator.items import Item
from ledger.operator.outbox import accept


def items(count: int) -> list[Item]:
    return [
        Item("reward", f"q-{i}".encode().ljust(32, b"\0"), secrets.token_bytes(32), 1, b"c".ljust(32, b"\0"))
        for i in range(count)
    ]


def test_concurrent_claims_take_each_row_once_and_a_lapsed_claim_is_taken_again(database_url: str) -> None:
    upgrade(database_url)
    engine = make_engine(database_url)
    try:
        accept(engine, items(600))
        if engine.dialect.name == "sqlite":
            # one sender, under the ledger's write lock: a `sent` row it finds is an interrupted
            # run's, and is claimed again at once
            first = queue.claim(engine, "reward", 50, lease=60)
            assert [w.id for w in queue.claim(engine, "reward", 50, lease=60)] == [w.id for w in first]
            return
        with ThreadPoolExecutor(6) as pool:
            claims = list(pool.map(lambda _: queue.claim(engine, "reward", 50, lease=60), range(12)))
        ids = [w.id for claim in claims for w in claim]
        assert len(ids) == len(set(ids)) == 600
        assert queue.claim(engine, "reward", 50, lease=60) == []
        with engine.begin() as conn:  # a sender died: its lease runs out
            conn.execute(update(t.writes).values(lease_until=int(time.time()) - 1))
        assert len(queue.claim(engine, "reward", 1_000, lease=60)) == 600
    finally:
        engine.dispose()
