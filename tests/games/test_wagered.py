"""The `wagered` badge: counted over committed periods' activity leaves, each checked against its
period's commitment on the ledger."""

from __future__ import annotations

import copy
import json
import secrets

from ledger.games.badges import FORMAT, Badge, badges_of
from ledger.games.check import check_badges
from ledger.games.document import hash_of, parse_document
from ledger.games.wagered import wagered_evidence, wagered_item
from ledger.rules.period import compute_period
from tests.games.conftest import GamesHarness
from tests.rules.world import Period, make_period

RULE = {"id": "slots-40k", "kind": "wagered", "category": "slots", "amount": "40000"}


def badge() -> Badge:
    return badges_of(parse_document(json.dumps({"format": FORMAT, "badges": [RULE]}), FORMAT, "badges"))[
        "slots-40k"
    ]


def test_wagers_over_committed_periods_earn_the_badge_and_check_out(games: GamesHarness) -> None:
    first = make_period(games.ledger, f"w-{secrets.token_hex(4)}")
    first.commit()
    # the same players' second week (the rows of make_period: 20,000 + 1,000 i on slots)
    second = make_period(games.ledger, f"w-{secrets.token_hex(4)}")
    second.rows = first.rows
    second.result = compute_period(second.rules, second.result.period, first.rows)
    second.commit()
    player = first.rows[0].player  # 20,000 a week: 40,000 over the two
    short = first.rows[4].player  # a single week's 24,000 would not be enough
    found = badge()
    games.send("defineBadge", found.key, found.rule_hash)
    assert wagered_evidence(RULE, player, [first.result]) is None
    evidence = wagered_evidence(RULE, player, [first.result, second.result])
    assert evidence is not None
    games.send("awardBadge", player, found.key, hash_of(evidence))
    claims = [{"badge": "slots-40k", "evidence": evidence}]
    assert check_badges(games.games, player, {"slots-40k": found}, claims, []) == []
    assert wagered_evidence(RULE, short, [first.result]) is None


def test_a_wagered_badge_on_figures_that_are_not_committed_is_caught(games: GamesHarness) -> None:
    period = make_period(games.ledger, f"w-{secrets.token_hex(4)}")
    period.commit()
    player = period.rows[0].player
    found = badge()
    games.send("defineBadge", found.key, found.rule_hash)
    honest = {"badge": "slots-40k", "player": "0x" + player.hex(),
              "periods": [wagered_item_of(period, player)]}  # fmt: skip
    inflated = copy.deepcopy(honest)
    inflated["periods"][0]["leaf"]["value"][2][7] = "40000"  # the slots figure doubled
    games.send("awardBadge", player, found.key, hash_of(inflated))
    problems = check_badges(
        games.games, player, {"slots-40k": found}, [{"badge": "slots-40k", "evidence": inflated}], []
    )
    assert problems == [
        f"badge slots-40k: period 0x{period.result.period.hex()}: the leaf is not in the committed root"
    ]
    twice = copy.deepcopy(honest)
    twice["periods"] = honest["periods"] * 2  # one period counted twice
    problems = check_badges(
        games.games, player, {"slots-40k": found}, [{"badge": "slots-40k", "evidence": twice}], []
    )
    assert "no award on chain" in problems[0] and problems[1] == "badge slots-40k: a period is counted twice"


def wagered_item_of(period: Period, player: bytes) -> dict[str, object]:
    item = wagered_item(period.result, player)
    assert item is not None
    return item
