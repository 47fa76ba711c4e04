"""The demo's trickle against a real ledger: a failed write is reported once and the trickle goes
on; the operator's own commands, signing with the same key between beats, do not disturb it; while
an operator's command holds the ledger's write lock, the trickle sends nothing."""

from __future__ import annotations

import secrets
from pathlib import Path

import pytest

from ledger.chain.sender import Sender
from ledger.demo.chain import DemoChain, trickle
from ledger.encoding import text_to_bytes
from ledger.ops.entries import issue_one, set_paused
from ledger.ops.lock import WriteLock
from tests.conftest import LedgerHarness, random_player


class Enough(Exception):
    """Ends a trickle (which otherwise runs until Ctrl-C)."""


def demo_chain(ledger: LedgerHarness) -> DemoChain:
    ledger.campaign("weekly-cashback")
    keys = [random_player() for _ in range(5)]
    return DemoChain(ledger.client, ledger.sender, keys, [random_player()], ledger.deploy_block)


def run(chain: DemoChain, on_beat: dict[int, object], beats: int, locks: Path) -> list[str]:
    """The trickle for `beats` beats; `on_beat[n]()` runs before beat n. Returns what it said."""
    said: list[str] = []
    count = 0

    def beat() -> None:
        nonlocal count
        count += 1
        if count > beats:
            raise Enough
        action = on_beat.get(count)
        if action is not None:
            action()  # type: ignore[operator]

    with pytest.raises(Enough):
        trickle(chain, locks, beat, said.append, lambda _: None, every=0.01)
    return said


def test_a_failed_trickle_write_is_reported_once_and_the_trickle_goes_on(
    ledger: LedgerHarness, tmp_path: Path
) -> None:
    chain = demo_chain(ledger)
    operator_cli = Sender(ledger.w3, ledger.account)  # another process, the same key
    count_before, _ = chain.client.chain_state()
    said = run(
        chain,
        {
            3: lambda: set_paused(chain.client, operator_cli, True),
            7: lambda: set_paused(chain.client, operator_cli, False),
        },
        beats=9,
        locks=tmp_path,
    )
    failed = [line for line in said if "failed" in line and "land again" not in line]
    assert len(failed) == 1 and "Pause" in failed[0], said  # beats 3 to 6: one line, naming why
    assert [line for line in said if "land again" in line] == [
        "the trickle's writes land again (4 in a row had failed)"
    ]
    rewards = [line for line in said if line.startswith("new reward: entry")]
    assert len(rewards) == 5, said  # beats 1, 2, 7, 8, 9
    count_after, _ = chain.client.chain_state()
    assert count_after - count_before == 5 + sum("payout: entry" in line for line in rewards)
    linked = f"0x{chain.regulars[0].hex()[:12]}"
    assert linked in rewards[0]  # the first reward, and every tenth, goes to the linked player
    assert not any(linked in line for line in rewards[1:])


def test_operator_commands_with_the_same_key_between_beats_do_not_fail_the_trickle(
    ledger: LedgerHarness, tmp_path: Path
) -> None:
    chain = demo_chain(ledger)
    cashback = text_to_bytes("weekly-cashback")

    def operator_issues() -> None:  # `ledger issue` from a terminal, beside the demo
        ref = text_to_bytes(f"operator-{secrets.token_hex(4)}")
        issue_one(chain.client, Sender(ledger.w3, ledger.account), cashback, random_player(), 7, ref)

    said = run(chain, {2: operator_issues, 3: operator_issues, 4: operator_issues}, beats=5, locks=tmp_path)
    assert not [line for line in said if "failed" in line], said
    assert sum(line.startswith("new reward: entry") for line in said) == 5


def test_the_trickle_sends_nothing_while_an_operator_command_holds_the_write_lock(
    ledger: LedgerHarness, tmp_path: Path
) -> None:
    chain = demo_chain(ledger)
    operator = WriteLock(tmp_path, chain.client.chain_id, chain.client.address, wait=0)
    count_before, _ = chain.client.chain_state()
    said = run(
        chain,
        {2: operator.__enter__, 5: lambda: operator.__exit__(None, None, None)},
        beats=6,
        locks=tmp_path,
    )
    waits = [line for line in said if line.startswith("the trickle waits")]
    assert len(waits) == 1 and "another writer" in waits[0], said  # beats 2 to 4: said once
    rewards = [line for line in said if line.startswith("new reward: entry")]
    assert len(rewards) == 3, said  # beats 1, 5 and 6
    count_after, _ = chain.client.chain_state()
    assert count_after - count_before == 3 + sum("payout: entry" in line for line in rewards)
