"""Follow mode and reorganisations: the mirror always ends equal to the canonical chain."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Engine, select, update

from ledger.db import tables as t
from ledger.errors import ReorgTooDeep
from tests.conftest import LedgerHarness, random_player, wait_until
from tests.indexer.conftest import (
    assert_mirror_is_canonical,
    following,
    index,
    indexer_for,
    mirror_count,
    rows,
    rpc,
    signed_issue,
)  # fmt: skip


def test_follow_mode_picks_up_new_blocks_and_reports_its_status(
    ledger: LedgerHarness, engine: Engine
) -> None:
    campaign = ledger.campaign()
    indexer = indexer_for(ledger, engine)
    with following(indexer) as thread:
        ledger.issue(campaign, random_player(), 10)
        wait_until(lambda: mirror_count(engine) == 1)
        ledger.issue_batch(campaign, rows(50))
        wait_until(lambda: mirror_count(engine) == 51)
    assert not thread.is_alive()
    head = ledger.w3.eth.block_number
    with engine.connect() as conn:
        status = conn.execute(select(t.status)).one()
    assert status.indexer_block == head and status.lag_blocks == 0
    assert status.rows_written == 51 and status.last_error is None


@pytest.mark.parametrize("depth", [1, 2])
def test_a_reorg_made_with_anvil_reorg_rolls_the_mirror_back_and_rereads(
    ledger: LedgerHarness, engine: Engine, chain_snapshot: None, tmp_path: Path, depth: int
) -> None:
    campaign = ledger.campaign()
    ledger.issue(campaign, random_player(), 10)
    nonce = ledger.w3.eth.get_transaction_count(ledger.account.address)
    for i in range(depth):
        ledger.issue(campaign, random_player(), 100 + i)
    index(ledger, engine)
    assert mirror_count(engine) == 1 + depth
    replacement = signed_issue(ledger, campaign, random_player(), 777, nonce)
    rpc(ledger, "anvil_reorg", depth, [[replacement, 0]])
    stats = index(ledger, engine)
    assert stats.reorgs == 1
    assert mirror_count(engine) == 2
    assert_mirror_is_canonical(ledger, engine, tmp_path)


@pytest.mark.slow
def test_a_ten_block_reorg_made_with_evm_revert_leaves_the_canonical_chain(
    ledger: LedgerHarness, engine: Engine, chain_snapshot: None, tmp_path: Path
) -> None:
    campaign = ledger.campaign()
    ledger.issue(campaign, random_player(), 10)
    snapshot = rpc(ledger, "evm_snapshot")
    for i in range(10):
        ledger.issue_batch(campaign, rows(3 + i))
    index(ledger, engine)
    rpc(ledger, "evm_revert", snapshot)
    ledger.sender._nonce = None  # the reverted chain forgot those transactions
    ledger.issue_batch(campaign, rows(4))
    for i in range(9):
        ledger.issue(campaign, random_player(), 50 + i)
    stats = index(ledger, engine)
    assert stats.reorgs == 1
    assert mirror_count(engine) == 1 + 4 + 9
    with engine.connect() as conn:
        assert conn.execute(select(t.status.c.reorgs)).scalar() == 1
    assert_mirror_is_canonical(ledger, engine, tmp_path)


def test_follow_mode_rides_out_a_reorg_under_it(
    ledger: LedgerHarness, engine: Engine, chain_snapshot: None, tmp_path: Path
) -> None:
    campaign = ledger.campaign()
    indexer = indexer_for(ledger, engine)
    with following(indexer):
        nonce = ledger.w3.eth.get_transaction_count(ledger.account.address)
        ledger.issue(campaign, random_player(), 10)
        ledger.issue(campaign, random_player(), 20)
        wait_until(lambda: mirror_count(engine) == 2)
        rpc(ledger, "anvil_reorg", 2, [[signed_issue(ledger, campaign, random_player(), 99, nonce), 1]])
        wait_until(lambda: indexer.stats.reorgs == 1 and mirror_count(engine) == 1)
    assert_mirror_is_canonical(ledger, engine, tmp_path)


def test_a_reorg_below_the_finalized_block_stops_the_indexer_with_a_clear_error(
    ledger: LedgerHarness, engine: Engine, chain_snapshot: None
) -> None:
    campaign = ledger.campaign()
    nonce = ledger.w3.eth.get_transaction_count(ledger.account.address)
    ledger.issue(campaign, random_player(), 10)
    index(ledger, engine)
    with engine.begin() as conn:  # as if the node had finalized everything the mirror holds
        conn.execute(update(t.cursor).values(finalized_block=t.cursor.c.last_block))
    rpc(ledger, "anvil_reorg", 1, [[signed_issue(ledger, campaign, random_player(), 11, nonce), 0]])
    with pytest.raises(ReorgTooDeep, match=r"the chain replaced block \d+, which the mirror took as final"):
        index(ledger, engine)
    assert mirror_count(engine) == 1  # nothing was rolled back
