"""Badges: awarded once, never transferable, and only where the ledger's facts bear them out."""

from __future__ import annotations

import json

import pytest
from eth_utils.crypto import keccak

from ledger.encoding import text_to_bytes
from ledger.errors import ContractRevert
from ledger.games.badges import FORMAT, Badge, badges_of, evidence_for, progress
from ledger.games.check import check_badges
from ledger.games.document import hash_of, parse_document
from ledger.games.facts import WEEK, player_facts
from ledger.ops.entries import record_payout
from tests.conftest import random_player
from tests.games.conftest import GamesHarness

BADGES = {
    "format": FORMAT,
    "badges": [
        {"id": "first-payout", "kind": "first_payout", "title": "First cash-out"},
        {"id": "three-weeks", "kind": "active_weeks", "weeks": 3},
        {"id": "earned-1000", "kind": "earned_at_least", "amount": "1000"},
    ],
}


def badges() -> dict[str, Badge]:
    return badges_of(parse_document(json.dumps(BADGES), FORMAT, "badges"))


def define_all(games: GamesHarness) -> dict[str, Badge]:
    found = badges()
    for badge in found.values():
        games.send("defineBadge", badge.key, badge.rule_hash)
    return found


def award(games: GamesHarness, badge: Badge, player: bytes) -> dict[str, object]:
    facts = player_facts(games.ledger.client, player, games.ledger.deploy_block)
    evidence = evidence_for(badge, player, facts)
    assert evidence is not None
    games.send("awardBadge", player, badge.key, hash_of(evidence))
    return evidence


def test_a_badge_is_awarded_once_and_checks_out(games: GamesHarness) -> None:
    found = define_all(games)
    player = random_player()
    games.ledger.issue(games.campaign, player, 1_200)
    evidence = award(games, found["earned-1000"], player)
    facts = player_facts(games.ledger.client, player, games.ledger.deploy_block)
    claims = [{"badge": "earned-1000", "evidence": evidence}]
    assert check_badges(games.games, player, found, claims, facts) == []
    with pytest.raises(ContractRevert) as twice:
        games.send("awardBadge", player, found["earned-1000"].key, hash_of(evidence))
    assert twice.value.name == "BadgeAlreadyAwarded"
    with pytest.raises(ContractRevert) as redefined:
        games.send("defineBadge", found["earned-1000"].key, keccak(b"easier rule"))
    assert redefined.value.name == "BadgeExists"


def test_a_badge_cannot_be_transferred(games: GamesHarness) -> None:
    names = {item.get("name", "") for item in games.games.contract.abi}
    assert not {n for n in names if "transfer" in n.lower() or "approve" in n.lower()}
    found = define_all(games)
    player = random_player()
    games.ledger.issue(games.campaign, player, 1_000)
    award(games, found["earned-1000"], player)
    w3 = games.ledger.w3
    selector = keccak(text="transferFrom(address,address,uint256)")[:4]
    call = {
        "from": games.ledger.account.address,
        "to": games.games.address,
        "data": "0x" + selector.hex() + "00" * 96,
    }
    with pytest.raises(Exception, match="revert"):
        w3.eth.call(call)  # type: ignore[arg-type]
    assert games.games.badge_of(player, found["earned-1000"].key) != b"\x00" * 32


def test_a_badge_the_facts_do_not_support_is_caught(games: GamesHarness) -> None:
    found = define_all(games)
    player = random_player()
    issued = games.ledger.issue(games.campaign, player, 500)
    facts = player_facts(games.ledger.client, player, games.ledger.deploy_block)
    assert evidence_for(found["first-payout"], player, facts) is None
    assert progress(found["earned-1000"], facts) == (500, 1000)
    # the operator awards "first payout" naming an issue as the payout
    forged = {"badge": "first-payout", "player": "0x" + player.hex(), "payout_seq": issued.seq}
    games.send("awardBadge", player, found["first-payout"].key, hash_of(forged))
    problems = check_badges(
        games.games, player, found, [{"badge": "first-payout", "evidence": forged}], facts
    )
    assert problems == [f"badge first-payout: entry {issued.seq} is not a payout of this player"]
    # and a claim with no award on chain at all
    fake = {"badge": "earned-1000", "player": "0x" + player.hex(), "reached_seq": issued.seq}
    problems = check_badges(games.games, player, found, [{"badge": "earned-1000", "evidence": fake}], facts)
    assert problems[0] == "badge earned-1000: no award on chain with this evidence"
    assert "the rule needs 1000" in problems[1]


def test_first_payout_and_active_weeks_follow_the_ledger(games: GamesHarness, chain_snapshot: None) -> None:
    found = define_all(games)
    player = random_player()
    for _ in range(3):
        games.ledger.issue(games.campaign, player, 100)
        games.warp(WEEK)
    record_payout(games.ledger.client, games.ledger.sender, player, 50, text_to_bytes("cash-1"))
    claims = [
        {"badge": b, "evidence": award(games, found[b], player)} for b in ("three-weeks", "first-payout")
    ]
    facts = player_facts(games.ledger.client, player, games.ledger.deploy_block)
    assert check_badges(games.games, player, found, claims, facts) == []
    weeks = claims[0]["evidence"]["weeks"]  # type: ignore[index]
    assert weeks[2] - weeks[0] == 2


def test_only_the_awarder_awards_and_only_defined_badges(games: GamesHarness) -> None:
    with pytest.raises(ContractRevert) as unknown:
        games.send("awardBadge", random_player(), text_to_bytes("nope"), keccak(b"e"))
    assert unknown.value.name == "BadgeUnknown"
