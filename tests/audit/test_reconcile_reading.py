"""How `reconcile` reads: per block range and per block, never per entry; across many ranges; from a
node that refuses wide ranges; and from a mirror the indexer is writing meanwhile."""

from __future__ import annotations

import secrets
from collections import Counter
from collections.abc import Sequence
from typing import Any

import pytest
from sqlalchemy import Engine, select, update

import ledger.audit.chainread as chainread
from ledger.audit.reconcile import reconcile
from ledger.chain.rpc import Rpc
from ledger.db import tables as t
from ledger.errors import NodeError
from tests.audit.conftest import Activity
from tests.conftest import LedgerHarness, random_player, wait_until
from tests.indexer.conftest import (
    every_kind,
    following,
    index,
    indexer_for,
    issue_batches,
    mirror_count,
    rows,
)
from tests.indexer.proxy import FaultPlan, fault_proxy


class CountingRpc(Rpc):
    """The project's client, counting the HTTP requests it sends and the calls in them."""

    def __init__(self, url: str) -> None:
        super().__init__(url, timeout=60)
        self.posts = 0
        self.calls: Counter[str] = Counter()

    def post(self, payload: Any) -> Any:
        self.posts += 1
        for request in payload if isinstance(payload, list) else [payload]:
            self.calls[request["method"]] += 1
        return super().post(payload)


def url_of(ledger: LedgerHarness) -> str:
    return str(ledger.w3.provider.endpoint_uri)  # type: ignore[attr-defined]


@pytest.mark.slow
def test_requests_grow_with_ranges_and_blocks_not_with_entries(ledger: LedgerHarness, engine: Engine) -> None:
    every_kind(ledger)
    players = [random_player() for _ in range(150)]
    issue_batches(ledger, ledger.campaign("bulk"), [rows(400, players) for _ in range(3)])
    index(ledger, engine)
    rpc = CountingRpc(url_of(ledger))
    report = reconcile(ledger.client, engine, rpc=rpc)
    assert report.ok, report.lines()
    assert report.chain_entries == report.mirror_entries == 1_210
    assert report.rows_checked > 1_210 and report.players_checked == 153
    # Ranges of 4 blocks, then 8, 16, 32 (the chain is a few dozen blocks long, its logs light),
    # the blocks holding logs in a batch a range, and the views: about twenty requests for 1,210
    # entries, where one request per entry would be over a thousand.
    blocks = ledger.w3.eth.block_number - ledger.deploy_block + 1
    assert blocks <= 4 + 8 + 16 + 32 and rpc.calls["eth_getLogs"] <= 4
    assert rpc.calls["eth_getBlockByNumber"] <= blocks + 1
    assert rpc.posts <= 20, rpc.calls


def test_a_chain_read_in_many_small_ranges_reconciles_and_still_names_a_tampered_row(
    activity: Activity, mirrored: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(chainread, "FIRST_RANGE", 1)
    monkeypatch.setattr(chainread, "TARGET_DATA", 1)  # every range then stays one block long
    rpc = CountingRpc(url_of(activity.ledger))
    clean = reconcile(activity.ledger.client, mirrored, rpc=rpc)
    assert clean.ok, clean.lines()
    with mirrored.connect() as conn:
        start, last = conn.execute(select(t.cursor.c.start_block, t.cursor.c.last_block)).one()
    assert rpc.calls["eth_getLogs"] == last - start + 1
    seq = activity.payouts[1].seq
    with mirrored.begin() as conn:
        conn.execute(update(t.entries).where(t.entries.c.seq == seq).values(sender="0x" + "cd" * 20))
    report = reconcile(activity.ledger.client, mirrored, rpc=rpc)
    assert [(d.what, d.chain, d.mirror) for d in report.differences] == [
        ("entry sender", activity.ledger.account.address.lower(), "0x" + "cd" * 20)
    ]
    assert report.first_divergent_seq == seq


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_a_node_that_refuses_wide_log_ranges_is_read_in_narrower_ones(
    activity: Activity, mirrored: Engine
) -> None:
    plan = FaultPlan(max_log_range=3)
    with fault_proxy(url_of(activity.ledger), plan) as url:
        rpc = Rpc(url, timeout=30)
        report = reconcile(activity.ledger.client, mirrored, rpc=rpc)
        rpc.close()
    assert report.ok, report.lines()
    assert plan.injected["too_many"] >= 1


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_a_node_whose_logs_leave_out_an_entry_is_refused_not_believed(
    activity: Activity, mirrored: Engine
) -> None:
    payout = "0x" + activity.payouts[0].tx_hash.hex()

    def without_the_payout(logs: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return [log for log in logs if log["transactionHash"] != payout]

    with fault_proxy(url_of(activity.ledger), FaultPlan(rewrite_logs=without_the_payout)) as url:
        rpc = Rpc(url, timeout=30)
        with pytest.raises(NodeError, match=r"its log index is incomplete; use another node"):
            reconcile(activity.ledger.client, mirrored, rpc=rpc)
        rpc.close()


@pytest.mark.slow
def test_reconciling_while_the_indexer_follows_the_chain_passes_every_time(
    ledger: LedgerHarness, engine: Engine
) -> None:
    campaign = ledger.campaign("live")
    players = [random_player() for _ in range(20)]
    ledger.issue_batch(campaign, rows(50, players))
    indexer = indexer_for(ledger, engine)
    with following(indexer):
        wait_until(lambda: mirror_count(engine) == 50, timeout=30)
        for round_ in range(4):
            hashes = _send_issues(ledger, campaign, players, 6)
            report = reconcile(ledger.client, engine)
            assert report.ok, (round_, report.lines())
            ledger.sender.wait(hashes)
        wait_until(lambda: mirror_count(engine) == 74, timeout=30)
    assert reconcile(ledger.client, engine).ok


def _send_issues(ledger: LedgerHarness, campaign: bytes, players: Sequence[bytes], count: int) -> list[bytes]:
    """Sends `count` single issues without waiting for them, so the indexer writes during the audit."""
    hashes = []
    for i in range(count):
        data = ledger.client.encode("issue", campaign, players[i % len(players)], 7, secrets.token_bytes(32))
        hashes.append(ledger.sender.send(ledger.client.address, data, 300_000))
    return hashes
