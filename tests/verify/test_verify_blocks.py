"""`ledger verify` judges at a block it chooses from the node: an API that lags, or moves its block
back to hide an entry, cannot make the newest entries disappear."""

from __future__ import annotations

import secrets
from typing import Any

import pytest
from eth_account.signers.local import LocalAccount
from sqlalchemy import delete, select, update
from typer.testing import CliRunner

from ledger.chain.sender import Sender
from ledger.cli.main import app as cli
from ledger.db import tables as t
from ledger.encoding import text_to_bytes
from ledger.ops.entries import issue_one
from tests.api.world import index_into
from tests.verify.conftest import Served
from tests.verify.test_verify import entries_of, run_cli

runner = CliRunner()


def head_block(served: Served) -> int:
    return int(served.world.w3.eth.block_number)


def backdate(served: Served, name: str) -> Any:
    """Makes the API lie as issue 10 found it: the player's newest entry left out and the API's
    block moved back to just before it, every figure of the player made to match. Returns the entry."""
    newest = entries_of(served, name)[-1]
    before = newest.block_number - 1
    block_hash = served.world.w3.eth.get_block(before)["hash"].to_0x_hex()
    player = served.world.key(name)
    with served.engine.begin() as conn:
        conn.execute(update(t.cursor).values(last_block=before, last_block_hash=block_hash))
        conn.execute(delete(t.entries).where(t.entries.c.seq == newest.seq))
        row = conn.execute(select(t.players).where(t.players.c.player == player)).one()
        conn.execute(
            update(t.players)
            .where(t.players.c.player == player)
            .values(
                balance=int(row.balance) - int(newest.amount),
                earned=int(row.earned) - int(newest.amount),
                entries=row.entries - 1,
            )
        )
    return newest


@pytest.mark.slow
def test_a_backdated_answer_cannot_hide_the_newest_entry(served: Served) -> None:
    newest = backdate(served, "bob")
    lag = head_block(served) - (newest.block_number - 1)
    result = run_cli(served, "bob")
    assert result.exit_code == 0, result.output
    assert (
        f"newer: entry {newest.seq}: issued {newest.amount} at block {newest.block_number}, "
        f"after the API's block {newest.block_number - 1}" in result.output
    )
    balance = served.world.client.player(served.world.players["bob"]).balance
    assert f"balance {balance} of player" in result.output  # the chain's balance, the hidden entry included
    assert f"the API is {lag} blocks behind, as of block {newest.block_number - 1}" in result.output


def test_a_backdated_answer_further_behind_than_max_lag_fails(served: Served) -> None:
    newest = backdate(served, "bob")
    lag = head_block(served) - (newest.block_number - 1)
    result = run_cli(served, "bob", "--max-lag", str(lag - 1))
    assert result.exit_code == 1, result.output
    assert (
        f"problem: the API is {lag} blocks behind block {head_block(served)} "
        f"(as of block {newest.block_number - 1}); at most {lag - 1} are allowed" in result.output
    )
    assert result.output.count("problem:") == 1
    assert "note: the history was not added up at the chosen block" in result.output


def test_entries_after_the_api_are_found_on_chain_and_counted(served: Served, operator: LocalAccount) -> None:
    world, sender = served.world, Sender(served.world.w3, operator, timeout=60)
    erin, run = secrets.token_bytes(32), secrets.token_hex(4)  # the module's other mirrors must not see her
    campaign = world.campaigns["welcome"]
    issue_one(world.client, sender, campaign, erin, 40, text_to_bytes(f"e-1-{run}"))
    index_into(world, served.db_url)
    late = issue_one(world.client, sender, campaign, erin, 2, text_to_bytes(f"e-2-{run}"))
    result = runner.invoke(cli, ["verify", "0x" + erin.hex(), "--api", served.url, "--rpc", served.rpc])
    assert result.exit_code == 0, result.output
    assert f"newer: entry {late.seq}: issued 2 at block {late.block_number}" in result.output
    assert "VERIFIED: 2 entries and balance 42 of player" in result.output
    assert "the API is 1 block behind" in result.output


def test_a_block_chosen_before_the_api_judges_the_history_up_to_it(served: Served) -> None:
    entries = entries_of(served, "alice")
    middle = entries[3].block_number
    chain = served.world.client.player(served.world.players["alice"], block=middle)
    result = run_cli(served, "alice", "--at", str(middle))
    assert result.exit_code == 0, result.output
    assert f"balance {chain.balance} of player" in result.output
    assert (
        f"at block {middle} (chosen; the API is {head_block(served) - middle} blocks ahead" in result.output
    )


def test_a_mirror_changed_behind_the_api_fails_at_a_chosen_earlier_block_too(served: Served) -> None:
    first = entries_of(served, "alice")[0]
    tamper_amount = first.amount + 1
    with served.engine.begin() as conn:
        conn.execute(update(t.entries).where(t.entries.c.seq == first.seq).values(amount=tamper_amount))
    result = run_cli(served, "alice", "--at", str(first.block_number))
    assert result.exit_code == 1
    assert f"problem: entry {first.seq}: amount is {tamper_amount} in the API" in result.output
    assert f"but the contract says {first.amount} at block {first.block_number}" in result.output


def test_bad_or_missing_blocks_to_judge_at_are_refused(served: Served) -> None:
    for at, message in (
        ("yesterday", "--at must be latest, finalized, safe or a block number"),
        ("-1", "--at must be latest, finalized, safe or a block number"),
        (str(10**9), f"the node has no block {10**9}"),
    ):
        result = run_cli(served, "alice", "--at", at)
        assert result.exit_code == 2, result.output
        assert result.output.count("error: ") == 1 and message in result.output


@pytest.mark.slow
def test_a_finalized_block_is_judged_when_the_node_names_one(served: Served) -> None:
    w3 = served.world.w3
    api_block = head_block(served)
    w3.provider.make_request("anvil_mine", [hex(70)])  # type: ignore[arg-type]  # past anvil's finality depth
    finalized = int(w3.eth.get_block("finalized")["number"])
    assert api_block < finalized < head_block(served)
    result = run_cli(served, "carol", "--at", "finalized")
    assert result.exit_code == 0, result.output
    assert (
        f"at block {finalized} (finalized; the API is {finalized - api_block} blocks behind" in result.output
    )


def test_a_block_before_the_ledger_existed_says_so(served: Served) -> None:
    result = run_cli(served, "carol", "--at", str(served.world.deploy_block - 1))
    assert result.exit_code == 1
    assert f"problem: there is no contract at {served.world.address.lower()} at block" in result.output
