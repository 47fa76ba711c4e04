"""The demo's eight weeks of play, as planned: long histories of every kind, debits that fit,
references used once, readable batch names, the same plan on every run."""

from __future__ import annotations

import re
import secrets
from collections import Counter, defaultdict

import pytest

from ledger.demo import seed, story
from ledger.demo.story import BatchFile, Expiry, Payout, Reversal, Single
from ledger.encoding import ROW_REF_BYTES
from ledger.playerkey import derive_player_key


@pytest.fixture(scope="module")
def people() -> tuple[list[bytes], list[bytes]]:
    secret = secrets.token_hex(32).encode()
    regulars = [derive_player_key(secret, pid) for pid in story.regular_ids()]
    return seed.player_keys(secret, 300), regulars


def history(weeks: list[story.Week], player: bytes) -> list[tuple[int, str, str]]:
    """(week, kind, campaign) of each entry of one player, read off the plan."""
    out = []
    for week in weeks:
        for act in week.acts:
            if isinstance(act, BatchFile):
                out += [(week.number, "batch", act.campaign) for p, _, _ in act.rows if p == player]
            elif act.player == player:
                kind = {Single: "single", Payout: "payout", Reversal: "reversal", Expiry: "expiry"}[type(act)]
                out.append((week.number, kind, getattr(act, "campaign", "")))
    return out


def test_every_regular_has_a_long_history_of_every_kind_over_weeks_and_campaigns(
    people: tuple[list[bytes], list[bytes]],
) -> None:
    crowd, regulars = people
    weeks = story.plan(crowd, regulars)
    assert len(regulars) == 5
    for player in regulars:
        entries = history(weeks, player)
        assert len(entries) >= 50
        assert {kind for _, kind, _ in entries} == {"batch", "single", "payout", "reversal", "expiry"}
        assert len({campaign for _, kind, campaign in entries if kind in ("batch", "single")}) >= 3
        assert len({week for week, _, _ in entries}) == story.WEEKS


def test_no_debit_of_the_plan_exceeds_a_balance_or_its_reward(
    people: tuple[list[bytes], list[bytes]],
) -> None:
    crowd, regulars = people
    balance: dict[bytes, int] = defaultdict(int)
    rewards: dict[str, int] = {}
    reversed_refs: set[str] = set()
    for week in story.plan(crowd, regulars):
        for act in week.acts:
            credits = (
                act.rows
                if isinstance(act, BatchFile)
                else [(act.player, act.amount, act.ref)]
                if isinstance(act, Single)
                else []
            )
            for player, amount, ref in credits:
                balance[player] += amount
                rewards[ref] = amount
            if isinstance(act, Payout | Expiry | Reversal):
                assert 0 < act.amount <= balance[act.player], act
                balance[act.player] -= act.amount
            if isinstance(act, Reversal):
                assert act.amount <= rewards[act.reward_ref] and act.reward_ref not in reversed_refs
                reversed_refs.add(act.reward_ref)
    assert all(value >= 0 for value in balance.values())


def test_references_are_used_once_and_batch_names_read_as_words(
    people: tuple[list[bytes], list[bytes]],
) -> None:
    crowd, regulars = people
    refs: Counter[str] = Counter()
    names: Counter[str] = Counter()
    for week in story.plan(crowd, regulars):
        for act in week.acts:
            if isinstance(act, BatchFile):
                names[act.name] += 1
                assert re.fullmatch(r"[a-z]+(-[a-z0-9]+)*", act.name), act.name
                for _, _, ref in act.rows:
                    refs[ref] += 1
                    assert len(ref.encode()) <= ROW_REF_BYTES
            elif not isinstance(act, Reversal):
                refs[act.ref] += 1
                assert len(act.ref.encode()) <= 32
    assert max(refs.values()) == 1
    assert max(names.values()) == 1
    assert {"welcome", "cashback-week-1", "cashback-week-3", "missions-week-8", "tournament-2"} <= set(names)


def test_the_plan_is_the_same_on_every_run_and_keeps_the_crowd_files_of_earlier_demos(
    people: tuple[list[bytes], list[bytes]],
) -> None:
    crowd, regulars = people
    first, second = story.plan(crowd, regulars), story.plan(list(crowd), list(regulars))
    assert first == second
    files = {act.name: act.rows for week in first for act in week.acts if isinstance(act, BatchFile)}
    # an earlier demo wrote these three files: the same rows keep the same batches
    assert files["welcome"] == tuple(seed.welcome_rows(crowd))
    assert files["cashback-week-1"] == tuple(seed.cashback_rows(crowd))
    assert files["tournament-1"] == tuple(seed.tournament_rows(crowd))


def test_a_crowd_too_small_for_the_story_is_refused() -> None:
    keys = [bytes([i]) * 32 for i in range(1, seed.MIN_PLAYERS)]
    with pytest.raises(ValueError, match="at least"):
        story.plan(keys, keys[:5])
