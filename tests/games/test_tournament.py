"""Tournaments: standings committed as roots, frozen once final, prizes as one batch that follows
the table; each cheat is caught by the player's check or refused by the chain."""

from __future__ import annotations

import secrets

import pytest

from ledger.encoding import Row, pack_rows
from ledger.errors import ContractRevert
from ledger.games.check import Claim, check_standing
from ledger.games.document import GamesError
from ledger.games.standings import PRIZE_REF, Score, check_prize_rows, prize_rows, rank
from ledger.games.tournament import issue_prizes
from tests.conftest import random_player
from tests.games.conftest import GamesHarness
from tests.games.world import board, create, finished, prizes


def tid() -> bytes:
    return secrets.token_bytes(32)


def test_ties_go_to_the_score_reached_first_and_every_rank_is_unique() -> None:
    a, b, c = random_player(), random_player(), random_player()
    standings = rank([Score(a, 40, 2_000), Score(b, 40, 1_000), Score(c, 90, 3_000)])
    assert [(s.player, s.rank) for s in standings.ranked] == [(c, 1), (b, 2), (a, 3)]
    with pytest.raises(GamesError, match="twice"):
        rank([Score(a, 1, 1), Score(a, 2, 2)])


def test_a_finished_tournament_pays_the_table_and_every_player_checks_out(
    games: GamesHarness, chain_snapshot: None
) -> None:
    tournament = tid()
    final = finished(games, tournament)
    receipt = issue_prizes(games.games, games.ledger.sender, tournament, final, prizes())
    assert receipt is not None
    for claim in board(final):
        assert check_standing(games.games, tournament, claim.player, board(final), prizes()) == []
        earned = games.ledger.client.player(claim.player).earned
        assert earned == prizes().prize(claim.rank)
    assert (
        issue_prizes(games.games, games.ledger.sender, tournament, final, prizes()) is None
    )  # retried: nothing sent
    with pytest.raises(ContractRevert) as twice:
        games.send("issuePrizes", tournament, pack_rows(prize_rows(final, prizes())))
    assert twice.value.name == "TournamentPrizesIssued"


def test_the_final_commitment_costs_under_80000_gas_and_freezes_the_standings(
    games: GamesHarness, chain_snapshot: None
) -> None:
    tournament = tid()
    create(games, tournament)
    games.warp(700)
    final = rank([Score(random_player(), i, i) for i in range(1, 50)])
    receipt = games.send("commitStandings", tournament, final.root, 100_000, True)
    assert receipt.gas_used <= 80_000
    with pytest.raises(ContractRevert) as frozen:
        games.send("commitStandings", tournament, b"\x01" * 32, 100_000, True)
    assert frozen.value.name == "TournamentFinal"


def test_a_rank_changed_after_the_final_commitment_is_caught(
    games: GamesHarness, chain_snapshot: None
) -> None:
    tournament = tid()
    final = finished(games, tournament)
    served = board(final)
    second, third = served[1], served[2]
    # the operator swaps two players' ranks on the leaderboard after the final commitment
    served[1] = Claim(third.player, third.score, 2, second.proof)
    served[2] = Claim(second.player, second.score, 3, third.proof)
    problems = check_standing(games.games, tournament, third.player, served, prizes())
    assert any("is not in the committed root" in p for p in problems)


def test_a_player_left_out_of_the_standings_is_caught(games: GamesHarness, chain_snapshot: None) -> None:
    tournament = tid()
    create(games, tournament)
    games.warp(700)
    scores = [Score(random_player(), v, v) for v in (30, 20, 10)]
    left_out = scores.pop(1)
    committed = rank(scores)
    games.send("commitStandings", tournament, committed.root, len(committed.ranked), True)
    problems = check_standing(games.games, tournament, left_out.player, board(committed), prizes())
    assert problems == ["standings: the player is not in the committed standings"]


def test_a_prize_that_does_not_follow_the_table_is_caught(games: GamesHarness, chain_snapshot: None) -> None:
    tournament = tid()
    final = finished(games, tournament)
    rows = prize_rows(final, prizes())
    swapped = [
        Row(rows[0].player, rows[1].amount, PRIZE_REF),
        Row(rows[1].player, rows[0].amount, PRIZE_REF),
        rows[2],
    ]
    games.send("issuePrizes", tournament, pack_rows(swapped))  # the total still equals the table's
    first = board(final)[0]
    problems = check_standing(games.games, tournament, first.player, board(final), prizes())
    assert problems == ["prizes: rank 1 was paid 300, the table gives 500"]


def test_a_prize_total_above_the_table_is_refused_before_sending_and_by_the_chain(
    games: GamesHarness, chain_snapshot: None
) -> None:
    tournament = tid()
    final = finished(games, tournament)
    with pytest.raises(GamesError, match="not the one the tournament published"):
        issue_prizes(games.games, games.ledger.sender, tournament, final, prizes([600, 300, 100]))
    rows = prize_rows(final, prizes())
    inflated = [*rows[:2], Row(rows[2].player, rows[2].amount + 1, PRIZE_REF)]
    with pytest.raises(GamesError, match="the prizes total 901 over 3 winners; the table gives 900"):
        check_prize_rows(inflated, prizes(), len(final.ranked))
    with pytest.raises(ContractRevert) as refused:
        games.send("issuePrizes", tournament, pack_rows(inflated))
    assert refused.value.name == "PrizesMismatch"
    assert games.ledger.client.player(rows[2].player).earned == 0


def test_standings_respect_the_tournament_clock_and_roles(
    games: GamesHarness, chain_snapshot: None, stranger: object
) -> None:
    tournament = tid()
    create(games, tournament)
    standings = rank([Score(random_player(), 1, 1)])
    with pytest.raises(ContractRevert) as early:
        games.send("commitStandings", tournament, standings.root, 1, True)
    assert early.value.name == "TournamentNotEnded"
    with pytest.raises(ContractRevert) as unpaid:
        games.send("issuePrizes", tournament, pack_rows(prize_rows(standings, prizes())))
    assert unpaid.value.name == "TournamentNotFinal"
    with pytest.raises(ContractRevert) as exists:
        create(games, tournament)
    assert exists.value.name == "TournamentExists"
