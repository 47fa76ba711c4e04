"""RPC faults and bad data, injected by a loopback proxy: the mirror ends exact, or stops clearly."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from eth_utils.crypto import keccak
from sqlalchemy import Engine, func, select

from ledger.db import tables as t
from ledger.errors import DecodeFailed
from tests.conftest import LedgerHarness, random_player, wait_until
from tests.indexer.conftest import (
    assert_mirror_is_canonical,
    every_kind,
    following,
    indexer_for,
    mirror_count,
    rows,
)
from tests.indexer.proxy import TRANSPORT_FAULTS, FaultPlan, fault_proxy

pytestmark = pytest.mark.slow  # fault injection through a proxy, with retries


def busy_chain(ledger: LedgerHarness) -> None:
    every_kind(ledger)
    campaign = ledger.campaign()
    for i in range(6):
        ledger.issue_batch(campaign, rows(10 + i))
        ledger.issue(campaign, random_player(), 5 + i)


def test_errors_timeouts_429s_and_range_refusals_leave_an_exact_mirror(
    ledger: LedgerHarness, engine: Engine, tmp_path: Path
) -> None:
    busy_chain(ledger)
    plan = FaultPlan(rate=0.3, max_log_range=3, slow_seconds=0.5)
    with fault_proxy(ledger.w3.provider.endpoint_uri, plan) as url:  # type: ignore[attr-defined]
        indexer = indexer_for(ledger, engine, url, rpc_timeout=0.25, initial_range=64)
        indexer.extractor.backoff.base = 0.01  # keep the test quick; the schedule is tested elsewhere
        stats = indexer.run(follow=False)
    assert set(plan.injected) >= {*TRANSPORT_FAULTS, "too_many"}, plan.injected
    assert stats.entries == ledger.client.chain_state()[0]
    assert_mirror_is_canonical(ledger, engine, tmp_path)


def test_logs_marked_removed_are_ignored(ledger: LedgerHarness, engine: Engine, tmp_path: Path) -> None:
    busy_chain(ledger)

    def with_removed_copies(logs: list[dict[str, Any]]) -> list[dict[str, Any]]:
        ghosts = [{**log, "removed": True, "logIndex": hex(int(log["logIndex"], 16) + 100)} for log in logs]
        return logs + ghosts

    plan = FaultPlan(rewrite_logs=with_removed_copies)
    with fault_proxy(ledger.w3.provider.endpoint_uri, plan) as url:  # type: ignore[attr-defined]
        indexer_for(ledger, engine, url).run(follow=False)
    assert_mirror_is_canonical(ledger, engine, tmp_path)


def _with_bogus_log(logs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    if not logs:
        return logs
    last = logs[-1]
    bogus = {
        **last,
        "topics": ["0x" + keccak(text="Bogus(uint256)").hex()],
        "logIndex": hex(int(last["logIndex"], 16) + 1),
    }
    return [*logs, bogus]


def test_a_log_that_does_not_decode_is_recorded_and_stops_the_indexer(
    ledger: LedgerHarness, engine: Engine
) -> None:
    campaign = ledger.campaign()
    ledger.issue(campaign, random_player(), 10)
    plan = FaultPlan(rewrite_logs=_with_bogus_log)
    with fault_proxy(ledger.w3.provider.endpoint_uri, plan) as url:  # type: ignore[attr-defined]
        indexer = indexer_for(ledger, engine, url)
        with pytest.raises(
            DecodeFailed,
            match=r"the log at block \d+ tx 0x[0-9a-f]{64} log \d+ cannot be mirrored: unknown event topic",
        ):
            indexer.run(follow=False)
    with engine.connect() as conn:
        failure = conn.execute(select(t.decode_errors)).one()
        assert failure.topic0 == "0x" + keccak(text="Bogus(uint256)").hex()
        assert failure.tx_hash.startswith("0x") and failure.block_number > ledger.deploy_block
        assert conn.execute(select(func.count()).select_from(t.entries)).scalar() == 0
        cursor = conn.execute(select(t.cursor)).one()
        assert cursor.last_block < failure.block_number  # nothing of the bad range was written
        assert "cannot be mirrored" in conn.execute(select(t.status.c.last_error)).scalar()


def test_an_unreachable_node_is_reported_in_the_status_and_retried(
    ledger: LedgerHarness, engine: Engine
) -> None:
    campaign = ledger.campaign()
    plan = FaultPlan(down=True)
    with fault_proxy(ledger.w3.provider.endpoint_uri, plan) as url:  # type: ignore[attr-defined]
        plan.down = False
        indexer = indexer_for(ledger, engine, url, retry_for=None)
        indexer.prepare()
        plan.down = True
        indexer.extractor.backoff.base = 0.02
        indexer.extractor.backoff.cap = 0.1
        with following(indexer):
            wait_until(lambda: "cannot reach the node" in (_last_error(engine) or ""))
            ledger.issue(campaign, random_player(), 10)
            plan.down = False
            wait_until(lambda: mirror_count(engine) == 1 and _last_error(engine) is None)
    assert plan.injected["down"] >= 2


def _last_error(engine: Engine) -> str | None:
    with engine.connect() as conn:
        return conn.execute(select(t.status.c.last_error)).scalar()
