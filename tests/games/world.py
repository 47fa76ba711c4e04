"""A small tournament on a fresh ledger: scores, standings committed and final, prizes table."""

from __future__ import annotations

import json

from ledger.games.check import Claim
from ledger.games.document import parse_document
from ledger.games.standings import (
    PRIZES_FORMAT,
    SCORING_FORMAT,
    PrizeTable,
    Score,
    Standings,
    prize_table,
    rank,
)
from tests.conftest import random_player
from tests.games.conftest import GamesHarness

PRIZES = [500, 300, 100]


def prizes(amounts: list[int] | None = None) -> PrizeTable:
    data = {"format": PRIZES_FORMAT, "prizes": [str(a) for a in amounts or PRIZES]}
    return prize_table(parse_document(json.dumps(data), PRIZES_FORMAT, "prizes"))


def scoring() -> object:
    data = {"format": SCORING_FORMAT, "description": "sum of slots wagers during the tournament"}
    return parse_document(json.dumps(data), SCORING_FORMAT, "scoring")


def scores(count: int = 6) -> list[Score]:
    # two players tie on 40: the one who reached it first ranks first
    values = [90, 40, 40, 70, 10, 25, 5, 60][:count]
    return [Score(random_player(), value, 1_000 + index) for index, value in enumerate(values)]


def create(
    games: GamesHarness, tournament: bytes, table: PrizeTable | None = None, length: int = 600
) -> None:
    now = games.ledger.now()
    table = table or prizes()
    games.send(
        "createTournament", tournament, games.campaign, scoring().hash, table.document.hash,  # type: ignore[attr-defined]
        table.total, len(table.prizes), now, now + length,
    )  # fmt: skip


def board(standings: Standings) -> list[Claim]:
    return [Claim(s.player, s.score, s.rank, standings.proof(s.rank)) for s in standings.ranked]


def finished(games: GamesHarness, tournament: bytes, count: int = 6) -> Standings:
    """A tournament created, committed once midway and finally after its end."""
    create(games, tournament)
    early = rank(scores(count)[: count // 2])
    games.send("commitStandings", tournament, early.root, len(early.ranked), False)
    games.warp(700)
    final = rank(scores(count))
    games.send("commitStandings", tournament, final.root, len(final.ranked), True)
    return final
