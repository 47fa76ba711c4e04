"""`ledger verify` against a real API and anvil: an honest API verifies, and every kind of lie is caught."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import delete, select, update
from typer.testing import CliRunner

from ledger.cli.main import app as cli
from ledger.db import tables as t
from ledger.verify import LedgerApi, Rpc, VerifyReport, verify_player
from tests.conftest import free_port
from tests.verify.conftest import Served

runner = CliRunner()


def verify(served: Served, name: str, contract: str | None = None) -> VerifyReport:
    api, rpc = LedgerApi(served.url), Rpc(served.rpc)
    try:
        return verify_player(api, rpc, served.world.players[name], contract)
    finally:
        api.close()
        rpc.close()


def messages(report: VerifyReport) -> list[str]:
    return [p.message for p in report.problems]


def entries_of(served: Served, name: str) -> list[Any]:
    with served.engine.connect() as conn:
        query = (
            select(t.entries).where(t.entries.c.player == served.world.key(name)).order_by(t.entries.c.seq)
        )
        return list(conn.execute(query))


def tamper(served: Served, statement: Any) -> None:
    """Makes the API lie: changes the mirror it serves behind its back."""
    with served.engine.begin() as conn:
        assert conn.execute(statement).rowcount == 1


def run_cli(served: Served, name: str, *extra: str) -> Any:
    args = ["verify", served.world.key(name), "--api", served.url, "--rpc", served.rpc, *extra]
    return runner.invoke(cli, args)


def test_an_honest_api_verifies_for_every_player(served: Served) -> None:
    for name in ("alice", "bob", "carol", "whale"):
        report = verify(served, name, served.world.address)
        chain = served.world.client.player(served.world.players[name], block=report.block)
        assert report.ok, (name, messages(report))
        assert report.entries == len(entries_of(served, name)) and report.balance == chain.balance
        assert report.lag == 0 and report.newer == [] and report.notes == []


def test_ledger_verify_prints_verified_and_exits_zero(served: Served) -> None:
    result = run_cli(served, "alice", "--contract", served.world.address)
    assert result.exit_code == 0, result.output
    assert result.output.startswith("VERIFIED: 7 entries and balance 320 of player ")
    assert "(latest; the API is as of it) against the node at" in result.output


def test_a_tampered_amount_is_caught(served: Served) -> None:
    first = entries_of(served, "alice")[0]
    tamper(served, update(t.entries).where(t.entries.c.seq == first.seq).values(amount=first.amount + 1000))
    result = run_cli(served, "alice")
    assert result.exit_code == 1
    assert (
        f"problem: entry {first.seq}: amount is {first.amount + 1000} in the API but {first.amount} on chain"
        in result.output
    )
    assert (
        "problem: history: the API says available 320, its entries add up to 1320 at block" in result.output
    )
    assert (
        "problem: history: the entries add up to balance 1320 but the contract says 320 at block"
        in result.output
    )
    assert result.output.rstrip().splitlines()[-1].startswith("FAILED: ")


def test_a_tampered_reference_and_head_are_caught(served: Served) -> None:
    payout = next(e for e in entries_of(served, "alice") if e.kind == "paid")
    tamper(
        served,
        update(t.entries)
        .where(t.entries.c.seq == payout.seq)
        .values(ref="0x" + "ee" * 32, head="0x" + "dd" * 32),
    )
    report = verify(served, "alice")
    problems = messages(report)
    assert any(p.startswith(f"entry {payout.seq}: ref is 0x{'ee' * 32} in the API") for p in problems)
    assert any(p.startswith(f"entry {payout.seq}: head is 0x{'dd' * 32} in the API") for p in problems)
    assert report.categories == {"fields", "head"}


def test_a_false_head_inside_a_batch_does_not_fold_to_the_batch_head(served: Served) -> None:
    row = next(e for e in entries_of(served, "alice") if e.batch_index == 0)
    tamper(served, update(t.entries).where(t.entries.c.seq == row.seq).values(head="0x" + "cc" * 32))
    assert messages(verify(served, "alice")) == [
        f"entry {row.seq}: head 0x{'cc' * 32} does not fold to the batch's head on chain"
    ]


def test_an_entry_placed_at_a_block_that_is_not_canonical_is_caught(served: Served) -> None:
    first = entries_of(served, "bob")[0]
    tamper(served, update(t.entries).where(t.entries.c.seq == first.seq).values(block_hash="0x" + "ab" * 32))
    problems = messages(verify(served, "bob"))
    assert (
        f"entry {first.seq}: block {first.block_number} 0x{'ab' * 32} is not canonical on the node"
        in problems
    )
    assert any(p.startswith(f"entry {first.seq}: transaction {first.tx_hash} is in block") for p in problems)


def test_an_entry_pointing_at_another_log_is_caught(served: Served) -> None:
    first = entries_of(served, "carol")[0]
    tamper(
        served, update(t.entries).where(t.entries.c.seq == first.seq).values(log_index=first.log_index + 7)
    )
    problems = messages(verify(served, "carol"))
    assert (
        f"entry {first.seq}: transaction {first.tx_hash} has no log with index {first.log_index + 7}"
        in problems
    )


def test_a_dropped_entry_is_caught_by_the_balance(served: Served) -> None:
    payout = next(e for e in entries_of(served, "bob") if e.kind == "paid")
    tamper(served, delete(t.entries).where(t.entries.c.seq == payout.seq))
    result = run_cli(served, "bob")
    assert result.exit_code == 1
    assert "problem: history: the entries add up to balance 77 but the contract says 67" in result.output
    assert "problem: history: the API says paid 10, its entries add up to 0" in result.output


def test_a_dropped_issue_is_caught_by_lifetime_earned(served: Served) -> None:
    issue = entries_of(served, "carol")[-1]
    tamper(served, delete(t.entries).where(t.entries.c.seq == issue.seq))
    problems = messages(verify(served, "carol"))
    assert any(
        p.startswith(
            f"history: the entries add up to lifetime earned {77 - issue.amount} but the contract says 77"
        )
        for p in problems
    )


def test_a_wrong_balance_is_caught(served: Served) -> None:
    tamper(
        served, update(t.players).where(t.players.c.player == served.world.key("alice")).values(balance=999)
    )
    result = run_cli(served, "alice")
    assert result.exit_code == 1
    assert "problem: history: the API says available 999, its entries add up to 320" in result.output
    assert "problem: balance: the API says available 999, the contract says 320" in result.output


def test_another_players_entry_in_the_history_is_caught(served: Served) -> None:
    bobs = entries_of(served, "bob")[0]
    tamper(
        served, update(t.entries).where(t.entries.c.seq == bobs.seq).values(player=served.world.key("alice"))
    )
    problems = messages(verify(served, "alice"))
    assert (
        f"entry {bobs.seq}: player is {served.world.key('alice')} in the API but {served.world.key('bob')} on chain"
        in problems
    )


def test_a_changed_sender_is_caught(served: Served) -> None:
    payout = next(e for e in entries_of(served, "bob") if e.kind == "paid")
    other = "0x" + "5e" * 20
    tamper(served, update(t.entries).where(t.entries.c.seq == payout.seq).values(sender=other))
    report = verify(served, "bob")
    assert messages(report) == [
        f"entry {payout.seq}: sender is {other} in the API but the transaction was sent by {served.world.operator}"
    ]
    assert report.categories == {"sender"}


def test_a_changed_block_time_is_caught(served: Served) -> None:
    first = entries_of(served, "carol")[0]
    tamper(
        served,
        update(t.entries).where(t.entries.c.seq == first.seq).values(block_time=first.block_time - 3600),
    )
    report = verify(served, "carol")
    assert messages(report) == [
        f"entry {first.seq}: time is {first.block_time - 3600} in the API but block {first.block_number}'s time is {first.block_time}"
    ]


def test_an_entry_pointing_at_another_real_payout_is_caught(served: Served) -> None:
    """The mirror's location columns moved to another player's real payout, block and time included."""
    alices = next(e for e in entries_of(served, "alice") if e.kind == "paid")
    bobs = next(e for e in entries_of(served, "bob") if e.kind == "paid")
    moved = {
        c: getattr(bobs, c) for c in ("tx_hash", "log_index", "block_number", "block_hash", "block_time")
    }
    tamper(served, update(t.entries).where(t.entries.c.seq == alices.seq).values(**moved))
    report = verify(served, "alice")
    assert messages(report) == [
        f"entry {alices.seq}: the PayoutRecorded event at that location does not record entry {alices.seq}"
    ]
    assert report.categories == {"location"}


def test_an_api_serving_another_contract_than_expected_fails(served: Served) -> None:
    result = run_cli(served, "bob", "--contract", "0x" + "42" * 20)
    assert result.exit_code == 1
    assert (
        f"problem: the API serves contract {served.world.address.lower()}, not the expected" in result.output
    )
    assert result.output.count("problem:") == 1  # nothing else is judged against another contract


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (
            ["verify", "0x1234", "--api", "http://127.0.0.1:1", "--rpc", "http://127.0.0.1:1"],
            2,
            "player key '0x1234' is malformed",
        ),
        (
            ["verify", "0x" + "ab" * 32, "--api", "{api}", "--rpc", "{rpc}"],
            7,
            "HTTP 404 player 0x" + "ab" * 32 + " has no entries",
        ),
        (
            ["verify", "{alice}", "--api", "http://127.0.0.1:{port}", "--rpc", "{rpc}"],
            7,
            "cannot reach the API",
        ),
        (
            ["verify", "{alice}", "--api", "{api}", "--rpc", "http://127.0.0.1:{port}"],
            3,
            "cannot reach the node",
        ),
        (["verify", "{alice}", "--api", "{api}", "--contract", "not-an-address"], 2, "is not an address"),
    ],
    ids=["malformed key", "unknown player", "API unreachable", "node unreachable", "malformed contract"],
)
def test_verify_refuses_with_one_error_line_and_an_exit_code(
    served: Served, args: list[str], code: int, message: str
) -> None:
    values = {
        "api": served.url,
        "rpc": served.rpc,
        "alice": served.world.key("alice"),
        "port": str(free_port()),
    }
    result = runner.invoke(cli, [a.format(**values) for a in args])
    assert result.exit_code == code, result.output
    assert (
        result.output.count("error: ") == 1 and message in result.output and "Traceback" not in result.output
    )
