"""Exactly-once: an indexer killed with SIGKILL at random points loses and duplicates nothing."""

from __future__ import annotations

import multiprocessing
import os
import random
import signal
import time
from pathlib import Path

import pytest
from sqlalchemy import Engine, inspect, select

from ledger.db import tables as t
from ledger.db.bulk import bulk_index_names, drop_indexes
from ledger.db.engine import make_engine
from ledger.indexer.service import Indexer, Options
from tests.conftest import LedgerHarness, random_player, wait_until
from tests.indexer.conftest import FAST, assert_mirror_is_canonical, index, issue_batches, rows

pytestmark = pytest.mark.slow  # the indexer killed at random points, many times

KILLS = 20


def _run_indexer(url: str, address: str, database_url: str, start: int, ready: multiprocessing.Event) -> None:  # type: ignore[valid-type]
    """The child: an indexer with tiny ranges, so that it commits many small transactions; far
    enough behind to read ahead (and, into the empty mirror, to bulk load)."""
    options = Options(poll_interval=0.01, initial_range=1, max_range=1, retry_for=10.0, bulk_entries=1_000)
    indexer = Indexer(url, address, make_engine(database_url), start, options)
    indexer.prepare()
    ready.set()  # type: ignore[attr-defined]
    indexer.run(follow=True)


def _cursor(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(select(t.cursor.c.last_block)).scalar() or -1)


def test_sigkill_at_random_points_across_many_restarts_loses_and_duplicates_nothing(
    ledger: LedgerHarness, engine: Engine, database_url: str, tmp_path: Path
) -> None:
    campaign = ledger.campaign()
    players = [random_player() for _ in range(300)]
    issue_batches(ledger, campaign, [rows(25, players, amount=10 + i) for i in range(120)])
    for i in range(20):
        ledger.issue(campaign, players[i], 1 + i)
    # fork: the child starts at once with everything imported, so the kills land mid-work
    context = multiprocessing.get_context("fork")
    args = (ledger.w3.provider.endpoint_uri, ledger.client.address, database_url, ledger.deploy_block)  # type: ignore[attr-defined]
    chance = random.Random(2024)
    seen: list[int] = []
    for _ in range(KILLS):
        ready = context.Event()
        child = context.Process(target=_run_indexer, args=(*args, ready), daemon=True)
        child.start()
        assert ready.wait(10)
        before = _cursor(engine)
        wait_until(lambda before=before: _cursor(engine) > before, interval=0.002)  # type: ignore[misc]
        time.sleep(chance.uniform(0.0, 0.02))  # then kill it at a random point of its work
        os.kill(child.pid, signal.SIGKILL)  # type: ignore[arg-type]
        child.join()
        seen.append(_cursor(engine))
    assert seen[-1] < ledger.w3.eth.block_number, f"the indexer finished before the last kill: {seen}"
    index(ledger, engine)
    assert_mirror_is_canonical(ledger, engine, tmp_path)


def test_a_cold_backfill_builds_the_entry_indexes_once_and_a_killed_one_gets_them_back(
    ledger: LedgerHarness, engine: Engine, database_url: str
) -> None:
    campaign = ledger.campaign()
    issue_batches(ledger, campaign, [rows(5) for _ in range(70)])
    expected = bulk_index_names(engine.dialect.name)
    drop_indexes(engine)  # what a bulk load killed midway leaves behind
    assert not {ix["name"] for ix in inspect(engine).get_indexes("entries")} & expected
    stats = index(ledger, engine, Options(**{**FAST.__dict__, "bulk_entries": 300}))  # a bulk load
    assert stats.entries == 350
    assert {ix["name"] for ix in inspect(engine).get_indexes("entries")} >= expected
