"""Tiers: the contract and the Python table agree, claims the figures do not support are caught,
and a tier drops only as the published downgrade policy says."""

from __future__ import annotations

import json

import pytest

from ledger.errors import ContractRevert
from ledger.games.check import check_tier
from ledger.games.document import GamesError, parse_document
from ledger.games.gas import view_gas
from ledger.games.tiers import DAY, FORMAT, TierTable, tier_table
from tests.conftest import random_player
from tests.games.conftest import GamesHarness


def table_of(thresholds: list[int], downgrade: dict[str, object] | None = None) -> TierTable:
    data = {
        "format": FORMAT,
        "base": "member",
        "tiers": [
            {"name": f"t{i + 1}", "min_earned": str(v), "multiplier_bp": 10_000 + 500 * i}
            for i, v in enumerate(thresholds)
        ],
        "downgrade": downgrade or {"policy": "none"},
    }
    return tier_table(parse_document(json.dumps(data), FORMAT, "tiers"))


def publish(games: GamesHarness, table: TierTable) -> None:
    games.send(
        "publishTierTable",
        table.hash,
        table.thresholds,
        table.policy,
        table.hold_seconds,
        table.grace_seconds,
    )


def test_tier_of_follows_lifetime_earned_exactly_as_the_python_table(games: GamesHarness) -> None:
    table = table_of([100, 1_000, 5_000, 2**100])
    publish(games, table)
    player = random_player()
    total = 0
    for step in (99, 1, 899, 1, 3_999, 1):
        games.ledger.issue(games.campaign, player, step)
        total += step
        assert games.games.tier_of(player) == table.computed(total)
        assert check_tier(games.games, player, table, claimed=table.computed(total)) == []
    assert table.computed(total) == 3


def test_a_tier_the_figures_do_not_support_is_caught(games: GamesHarness) -> None:
    table = table_of([100, 1_000])
    publish(games, table)
    player = random_player()
    games.ledger.issue(games.campaign, player, 150)
    problems = check_tier(games.games, player, table, claimed=2)
    assert len(problems) == 1 and "claimed t2" in problems[0] and "gives t1" in problems[0]


def test_a_table_other_than_the_published_one_is_caught(games: GamesHarness) -> None:
    publish(games, table_of([100, 1_000]))
    problems = check_tier(games.games, random_player(), table_of([100, 2_000]))
    assert problems and "the chain publishes" in problems[0]


def test_policy_none_never_lowers_a_held_tier(games: GamesHarness, chain_snapshot: None) -> None:
    player = random_player()
    publish(games, table_of([100, 1_000]))
    games.ledger.issue(games.campaign, player, 1_000)
    games.send("syncTier", player)
    other = random_player()  # never held a tier: gets what the new table gives
    games.ledger.issue(games.campaign, other, 1_000)
    stricter = table_of([100, 10_000])
    publish(games, stricter)
    games.warp(1_000 * DAY)
    assert games.games.tier_of(player) == 2
    games.send("syncTier", player)
    assert games.games.held(player)[0] == 2
    assert check_tier(games.games, player, stricter, claimed=2) == []
    assert games.games.tier_of(other) == 1


def test_policy_recheck_lowers_a_tier_only_after_the_hold_and_the_grace(
    games: GamesHarness, chain_snapshot: None
) -> None:
    recheck = {"policy": "recheck", "every_days": 30, "grace_days": 60}
    player = random_player()
    publish(games, table_of([100, 1_000], recheck))
    games.ledger.issue(games.campaign, player, 1_000)
    games.send("syncTier", player)
    stricter = table_of([100, 10_000], recheck)
    publish(games, stricter)
    games.warp(45 * DAY)  # past the 30-day hold, inside the new table's 60-day grace
    assert games.games.tier_of(player) == 2
    assert check_tier(games.games, player, stricter, claimed=2) == []
    games.warp(16 * DAY)
    assert games.games.tier_of(player) == 1
    assert check_tier(games.games, player, stricter, claimed=2) != []
    receipt = games.send("syncTier", player)
    (event,) = [
        e for e in games.games.events("TierRecorded", player) if e["blockNumber"] == receipt.block_number
    ]
    assert (event["fromTier"], event["toTier"], event["earned"]) == (2, 1, 1_000)
    assert check_tier(games.games, player, stricter, claimed=1) == []


def test_a_table_must_ascend_and_only_the_admin_publishes(games: GamesHarness, stranger: object) -> None:
    with pytest.raises(ContractRevert) as refused:
        games.send("publishTierTable", b"\x01" * 32, [100, 100], 0, 0, 0)
    assert refused.value.name == "TierTableInvalid"
    with pytest.raises(ContractRevert) as unset:
        games.games.transact(games.ledger.sender, "syncTier", random_player())
    assert unset.value.name == "TierTableUnset"
    with pytest.raises(GamesError, match="ascend"):
        table_of([1_000, 100])


def test_the_tier_view_costs_under_5000_gas_once_its_slots_are_warm(games: GamesHarness) -> None:
    publish(games, table_of([10, 100, 1_000, 10_000, 100_000, 10**6, 10**7, 10**8]))
    player = random_player()
    games.ledger.issue(games.campaign, player, 12_345)
    cold, warm = view_gas(games.games, player)
    assert warm <= 5_000 < cold  # cold: the ledger's account and five slots are first touched
