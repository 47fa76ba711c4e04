"""`ledger tournament`: create a tournament, commit its standings, finish it, issue its prizes.

ledger tournament create ID --campaign C --scoring scoring.json --prizes prizes.json --end +7d
ledger tournament commit ID scores.csv      standings so far (a root on chain, a file with proofs)
ledger tournament finish ID scores.csv      the final standings: they never change afterwards
ledger tournament prizes ID --prizes prizes.json   one ledger batch that follows the table
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ledger.cli.common import clean_errors, out, settings
from ledger.encoding import text_to_bytes
from ledger.games.standings import load_prize_table, load_scoring, rank

app = typer.Typer(
    help="Tournaments with committed standings and a published prize table.", no_args_is_help=True
)
TournamentId = Annotated[str, typer.Argument(help="tournament id: text of up to 32 bytes, or 0x-hex")]
Scores = Annotated[Path, typer.Argument(help="scores CSV: player,score,reached (unix time reached)")]
Prizes = Annotated[Path, typer.Option(help="the prize table document (prizes by rank)")]


def _directory(tournament: str) -> Path:
    return settings().data_dir / "tournaments" / tournament


@app.command()
@clean_errors
def create(
    tournament: TournamentId,
    campaign: Annotated[str, typer.Option(help="the campaign the prizes are paid from")],
    scoring: Annotated[Path, typer.Option(help="the scoring rule document")],
    prizes: Prizes,
    start: Annotated[str, typer.Option(help="now, +1d, unix or ISO-8601")] = "now",
    end: Annotated[str, typer.Option(help="+7d, unix or ISO-8601")] = "+7d",
) -> None:
    """Create the tournament: scoring rule and prize table hashes, prize total, start and end."""
    from ledger.cli.games import games_sender, open_games
    from ledger.games import tournament as ops
    from ledger.inputs import parse_time

    cfg = settings()
    tid = text_to_bytes(tournament, what="tournament id")
    cid = text_to_bytes(campaign, what="campaign id")
    rule, table = load_scoring(scoring), load_prize_table(prizes)
    games = open_games(cfg)
    now = int(games.w3.eth.get_block("latest")["timestamp"])
    ops.create(
        games, games_sender(cfg, games), tid, cid, rule, table, parse_time(start, now), parse_time(end, now)
    )
    out.print(
        f"tournament {tournament}: {len(table.prizes)} paid places, prizes total {table.total}", markup=False
    )


def _commit(tournament: str, scores: Path, final: bool) -> None:
    from ledger.cli.games import games_sender, open_games, to_mirror
    from ledger.games import tournament as ops
    from ledger.games.mirror import save_standings

    cfg = settings()
    tid = text_to_bytes(tournament, what="tournament id")
    standings = rank(ops.read_scores(scores))
    games = open_games(cfg)
    directory = _directory(tournament)
    index, receipt = ops.commit(games, games_sender(cfg, games), tid, standings, directory, final)
    to_mirror(cfg, save_standings, tid, standings, index, final)
    what = "final standings" if final else f"standings {index}"
    out.print(
        f"{what} of {tournament}: {len(standings.ranked)} players, root 0x{standings.root.hex()}",
        markup=False,
    )
    if receipt is None:
        out.print(
            f"  already committed: nothing sent; leaves and proofs in {directory}/final.json", markup=False
        )
        return
    out.print(
        f"  {receipt.gas_used} gas; leaves and proofs in {directory}/standings-{index}.json", markup=False
    )


@app.command()
@clean_errors
def commit(tournament: TournamentId, scores: Scores) -> None:
    """Commit the standings so far (tournament role)."""
    _commit(tournament, scores, final=False)


@app.command()
@clean_errors
def finish(tournament: TournamentId, scores: Scores) -> None:
    """Commit the final standings, after the end: they can never change afterwards."""
    _commit(tournament, scores, final=True)


@app.command()
@clean_errors
def prizes(tournament: TournamentId, prizes: Prizes) -> None:
    """Issue the prizes from the final standings as one ledger batch (retry-safe)."""
    from ledger.cli.games import games_sender, open_games
    from ledger.games import tournament as ops

    cfg = settings()
    tid = text_to_bytes(tournament, what="tournament id")
    table = load_prize_table(prizes)
    standings = ops.load_standings(_directory(tournament) / "final.json")
    games = open_games(cfg)
    receipt = ops.issue_prizes(games, games_sender(cfg, games), tid, standings, table)
    total = table.total_for(len(standings.ranked))
    if receipt is None:
        out.print(f"prizes of {tournament} were already issued: nothing sent", markup=False)
        return
    out.print(f"prizes of {tournament}: {min(len(table.prizes), len(standings.ranked))} winners, total {total}", markup=False)  # fmt: skip
