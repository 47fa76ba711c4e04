"""The operator's tournament actions: create, commit standings, finish, issue the prizes.

Standings files (`standings-<n>.json` in the tournament's directory) hold every leaf with its proof:
what the leaderboard serves. The prize batch's id is fixed by the tournament and the contract
pays once, so a retried `prizes` finds what landed and sends nothing twice.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

from ledger.chain.sender import Receipt, Sender
from ledger.encoding import pack_rows, parse_player_key
from ledger.errors import InputError
from ledger.games.contract import GamesClient
from ledger.games.document import Document, GamesError
from ledger.games.standings import (
    PrizeTable,
    Score,
    Standings,
    check_prize_rows,
    prize_rows,
    rank,
    standings_json,
)


def create(
    games: GamesClient, sender: Sender, tournament: bytes, campaign: bytes, scoring: Document,
    table: PrizeTable, start: int, end: int,
) -> Receipt:  # fmt: skip
    if games.tournament(tournament).exists:
        raise GamesError("the tournament already exists on chain")
    return games.transact(
        sender, "createTournament", tournament, campaign, scoring.hash, table.document.hash, table.total,
        len(table.prizes), start, end,
    )  # fmt: skip


def read_scores(path: Path) -> list[Score]:
    """A scores CSV: `player,score,reached` (reached: unix time the score was reached)."""
    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            rows = list(csv.DictReader(handle))
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise InputError(f"cannot read the scores file {path}: {exc}") from exc
    scores = []
    for line, row in enumerate(rows, start=2):
        try:
            score, reached = int(row["score"]), int(row["reached"])
            if score < 0 or reached < 0 or score >= 2**256:
                raise ValueError("negative or too large")
            scores.append(Score(parse_player_key(row["player"]), score, reached))
        except (KeyError, TypeError, ValueError) as exc:
            raise InputError(f"{path}: line {line}: expected player,score,reached ({exc})") from exc
    return scores


def commit(
    games: GamesClient, sender: Sender, tournament: bytes, standings: Standings, directory: Path, final: bool
) -> tuple[int, Receipt | None]:
    """Commits the standings and writes their file; (the commitment's index, its receipt, None
    when these final standings had already landed)."""
    state = games.tournament(tournament)
    if not state.exists:
        raise GamesError("the tournament is not on chain: run `ledger tournament create` first")
    if state.final and not (final and state.final_root == standings.root):
        raise GamesError("the final standings are committed: they cannot change")
    if state.final:  # a re-run after the final commitment landed: write its files, send nothing
        directory.mkdir(parents=True, exist_ok=True)
        _write(directory / "final.json", standings_json(standings, state.commits, True))
        return state.commits, None
    receipt = games.transact(
        sender, "commitStandings", tournament, standings.root, len(standings.ranked), final
    )
    index = state.commits + 1
    directory.mkdir(parents=True, exist_ok=True)
    _write(directory / f"standings-{index}.json", standings_json(standings, index, final))
    if final:
        _write(directory / "final.json", standings_json(standings, index, final))
    return index, receipt


def issue_prizes(
    games: GamesClient, sender: Sender, tournament: bytes, standings: Standings, table: PrizeTable
) -> Receipt | None:
    """Issues the prizes from the final standings (None if they already landed)."""
    state = games.tournament(tournament)
    if not state.final or state.final_root != standings.root:
        raise GamesError("the standings given are not the tournament's committed final standings")
    if state.prizes_issued:
        return None
    (created,) = games.events("TournamentCreated", tournament)
    if bytes(created["prizeTableHash"]) != table.document.hash:
        raise GamesError("the prize table given is not the one the tournament published")
    rows = prize_rows(standings, table)
    check_prize_rows(rows, table, len(standings.ranked))  # refused here before the chain refuses it
    if sum(row.amount for row in rows) > state.prize_total:
        raise GamesError("the prizes total more than the tournament's committed prize table")
    return games.transact(sender, "issuePrizes", tournament, pack_rows(rows))


def load_standings(path: Path) -> Standings:
    """A standings file read back and rebuilt: its root must be what its leaves give."""
    try:
        data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
        scores = [Score(parse_player_key(s["player"]), int(s["score"]), s["rank"]) for s in data["standings"]]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise InputError(f"{path} is not a standings file: {exc}") from exc
    standings = rank(scores)  # ranks as given are the order: `reached` carries the rank itself
    if "0x" + standings.root.hex() != data.get("root"):
        raise InputError(f"{path}: the leaves do not give the root the file states")
    return standings


def _write(path: Path, data: dict[str, Any]) -> None:
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")
    tmp.replace(path)
