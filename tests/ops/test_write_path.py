"""The write path against a real anvil: every reference lands once whatever the file looks like,
what landed is found in the mirror and in the chain's logs, earlier runs' transactions are
settled first, and a batch whose id holds this very batch counts as landed."""

from __future__ import annotations

import secrets
from pathlib import Path

import pytest

from ledger.chain.sender import Sender
from ledger.db.engine import make_engine
from ledger.encoding import Row, text_to_bytes
from ledger.errors import LockBusy, ReferenceConflict
from ledger.indexer.service import catch_up
from ledger.ops.batch import plan_batches, send_batches
from ledger.ops.issuance import RewardRows, dry_run, issue_rewards
from ledger.ops.lock import WriteLock
from ledger.ops.single import issue_reward
from ledger.ops.writer import Writer
from tests.conftest import LedgerHarness


def rows_of(count: int, amount: int = 10, prefix: str = "ref") -> list[Row]:
    return [Row(secrets.token_bytes(32), amount, text_to_bytes(f"{prefix}-{i}", 20)) for i in range(count)]


def reward_rows(cid: bytes, rows: list[Row]) -> RewardRows:
    return RewardRows(cid, rows, {r.ref.ljust(32, b"\0"): n + 2 for n, r in enumerate(rows)}, "test")


def writer_of(ledger: LedgerHarness, tmp_path: Path, mirror_url: str | None = None) -> Writer:
    return Writer(
        ledger.client, ledger.sender, tmp_path / "data", ledger.deploy_block, mirror_url, lock_wait=5
    )


def entry_count(ledger: LedgerHarness) -> int:
    return ledger.client.chain_state()[0]


def test_appended_and_reordered_rows_land_once_and_a_changed_amount_is_refused(
    ledger: LedgerHarness, tmp_path: Path
) -> None:
    cid = ledger.campaign()
    rows = rows_of(5, amount=60)
    writer = writer_of(ledger, tmp_path)
    issue_rewards(writer, reward_rows(cid, rows), 2)
    extra = rows_of(1, amount=60, prefix="new")
    report = issue_rewards(writer, reward_rows(cid, [*reversed(rows), *extra]), 2)
    assert report.outcome is not None
    assert (report.outcome.rows_issued, report.outcome.rows_skipped) == (1, 5)
    assert entry_count(ledger) == 6
    assert {ledger.client.player(r.player).balance for r in [*rows, *extra]} == {60}
    changed = [Row(rows[3].player, 61, rows[3].ref), *rows_of(2, prefix="more")]
    with pytest.raises(ReferenceConflict, match=r"line 2: reference 'ref-3' is already entry 4") as info:
        issue_rewards(writer, reward_rows(cid, changed), 2)
    assert info.value.seq == 4
    assert entry_count(ledger) == 6  # the two fresh rows were not sent either


def test_a_single_issue_and_a_batch_row_share_one_namespace_across_campaigns(
    ledger: LedgerHarness, tmp_path: Path
) -> None:
    first, second = ledger.campaign("one"), ledger.campaign("two")
    rows = rows_of(3)
    writer = writer_of(ledger, tmp_path)
    issue_rewards(writer, reward_rows(first, rows), 10)
    same = issue_reward(writer, first, rows[1].player, 10, text_to_bytes("ref-1"))
    assert (same.seq, same.new) == (2, False)
    with pytest.raises(ReferenceConflict, match="already entry 2"):
        issue_reward(writer, second, rows[1].player, 10, text_to_bytes("ref-1"))
    single = issue_reward(writer, second, rows[0].player, 7, text_to_bytes("solo"))
    assert single.new
    report = dry_run(
        writer, reward_rows(first, [Row(rows[0].player, 7, text_to_bytes("solo", 20))]), 10, None
    )
    assert [had.seq for _, had in report.check.refused] == [single.seq]  # other campaign: refused
    assert entry_count(ledger) == 4


def test_what_landed_is_found_in_the_mirror_and_after_it_in_the_logs(
    ledger: LedgerHarness, tmp_path: Path, database_url: str
) -> None:
    cid = ledger.campaign()
    early, late = rows_of(4, prefix="early"), rows_of(3, prefix="late")
    writer = writer_of(ledger, tmp_path, database_url)
    before = dry_run(writer, reward_rows(cid, early), 10, None).check.coverage
    assert before.mirror_block is None and before.chain_from == ledger.deploy_block
    issue_rewards(writer, reward_rows(cid, early), 10)
    engine = make_engine(database_url)
    catch_up(ledger.w3, ledger.client.address, engine, ledger.deploy_block)
    engine.dispose()
    issue_rewards(writer, reward_rows(cid, late), 10)
    check = dry_run(writer, reward_rows(cid, [*early, *late]), 10, None).check
    assert check.coverage.mirror_block is not None
    assert "looked up in the mirror up to block" in check.coverage.describe()
    assert len(check.skipped) == 7 and not check.send
    writer.close()


def test_a_batch_whose_id_already_holds_this_very_batch_counts_as_landed(
    ledger: LedgerHarness, tmp_path: Path
) -> None:
    cid = ledger.campaign()
    batches = plan_batches(rows_of(6), cid, 3, "twice")
    other = Sender(ledger.w3, ledger.account)  # an earlier signature of the same calls
    for batch in batches:
        other.transact(
            ledger.client.address, ledger.client.encode("issueBatch", batch.batch_id, cid, batch.records)
        )
    count = entry_count(ledger)
    outcome = send_batches(ledger.client, ledger.sender, batches, ledger.deploy_block)
    assert (outcome.sent, outcome.rows_issued) == (2, 6)
    assert entry_count(ledger) == count == 6


def test_a_batch_id_used_for_other_rows_is_a_conflict(ledger: LedgerHarness, tmp_path: Path) -> None:
    cid = ledger.campaign()
    batch = plan_batches(rows_of(2), cid, 10, "clash")[0]
    ledger.issue_batch(cid, rows_of(2, prefix="other"), batch_id=batch.batch_id)
    with pytest.raises(ReferenceConflict, match="was used for other rows"):
        dry_run(writer_of(ledger, tmp_path), RewardRows(cid, list(batch.rows), {}, "clash"), 10, None)


def test_a_second_writer_fails_with_lock_busy_or_waits_and_names_the_holder(
    ledger: LedgerHarness, tmp_path: Path
) -> None:
    cid = ledger.campaign()
    writer = writer_of(ledger, tmp_path)
    heard: list[str] = []
    with WriteLock(tmp_path / "data" / "locks", ledger.client.chain_id, ledger.client.address):
        writer.lock_wait = 0
        with pytest.raises(LockBusy, match=r"another writer .*pid"):
            issue_reward(writer, cid, secrets.token_bytes(32), 5, text_to_bytes("locked"))
        writer.lock_wait, writer.say = 0.3, heard.append
        with pytest.raises(LockBusy, match=r"after 0.3 s; nothing was sent"):
            issue_reward(writer, cid, secrets.token_bytes(32), 5, text_to_bytes("locked"))
    assert heard and heard[0].startswith("waiting for another writer (pid")
    assert entry_count(ledger) == 0
    assert issue_reward(writer, cid, secrets.token_bytes(32), 5, text_to_bytes("locked")).new


def test_an_earlier_runs_transactions_are_settled_before_planning(
    ledger: LedgerHarness, tmp_path: Path
) -> None:
    cid = ledger.campaign()
    writer = writer_of(ledger, tmp_path)
    journal = writer.journal
    address = ledger.account.address
    # mined: a reward sent by a run that was killed before its receipt
    mined = ledger.sender.send(
        ledger.client.address,
        ledger.client.encode("issue", cid, secrets.token_bytes(32), 5, text_to_bytes("m")),
        300_000,
    )
    ledger.sender.wait([mined])
    nonce = ledger.w3.eth.get_transaction_count(address)
    # gone: signed at a nonce another transaction then used
    journal.record(secrets.token_bytes(32), nonce, address, "batch lost")
    ledger.sender.transact(ledger.client.address, ledger.client.encode("pause"))
    ledger.sender.transact(ledger.client.address, ledger.client.encode("unpause"))
    # unknown to the node, its nonce still free: settling uses the nonce up
    free = ledger.w3.eth.get_transaction_count(address)
    journal.record(mined, nonce - 1, address, "issue m")
    journal.record(secrets.token_bytes(32), free, address, "batch never sent")
    result = issue_reward(writer, cid, secrets.token_bytes(32), 5, text_to_bytes("after"))
    assert result.new
    assert writer.settled is not None
    assert (writer.settled.mined, writer.settled.reverted, writer.settled.gone) == (1, 0, 2)
    assert ledger.w3.eth.get_transaction_count(address) == free + 2  # the empty transfer, then the issue
    assert journal.signed() == []
