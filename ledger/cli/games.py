"""`ledger games`: deploy the games contract beside the ledger, and the player's check of their
tier, badges, standing and prize against the chain.

Heavy libraries (web3) load inside the commands, so `ledger --help` stays fast.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from ledger.cli.common import clean_errors, out, settings
from ledger.encoding import parse_player_key, text_to_bytes
from ledger.errors import InputError

if TYPE_CHECKING:
    from ledger.chain.sender import Sender
    from ledger.config import Settings
    from ledger.games.contract import GamesClient

app = typer.Typer(help="Tiers, badges and tournaments: deploy the games contract, check a player.", no_args_is_help=True)  # fmt: skip
EXIT_FAILED = 1


def open_games(cfg: Settings) -> GamesClient:
    """The games contract deployed beside the settings' ledger."""
    from ledger.cli.context import open_ledger
    from ledger.games.contract import GamesClient, load_games

    ledger = open_ledger(cfg)
    deployment = load_games(cfg.deployments_dir, ledger.chain_id)
    games = GamesClient(ledger.w3, deployment.address)
    games.check_code()
    return games


def games_sender(cfg: Settings, games: GamesClient) -> Sender:
    from ledger.chain.sender import Sender
    from ledger.cli.context import load_signer

    return Sender(games.w3, load_signer(cfg), timeout=cfg.tx_timeout)


def to_mirror(cfg: Settings, fn: Callable[..., None], *args: Any) -> None:
    """Writes what was published into the SQL mirror the API serves (migrated first)."""
    from sqlalchemy.exc import SQLAlchemyError

    from ledger.db.engine import make_engine
    from ledger.db.migrate import upgrade
    from ledger.errors import DatabaseError

    engine = make_engine(cfg.effective_database_url)
    try:
        upgrade(engine)
        fn(engine, *args)
    except SQLAlchemyError as exc:
        raise DatabaseError(
            f"on chain, but the mirror database failed: {getattr(exc, 'orig', None) or exc}"
        ) from exc
    finally:
        engine.dispose()


def read_json(path: Path, what: str) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise InputError(f"cannot read the {what} {path}: {exc}") from exc


@app.command()
@clean_errors
def deploy() -> None:
    """Deploy RewardsGames beside the ledger and let it issue prizes (admin of the ledger)."""
    from ledger.cli.context import open_ledger, open_sender
    from ledger.games.contract import GamesClient, deploy_games, games_role, save_games

    cfg = settings()
    ledger = open_ledger(cfg)
    sender = open_sender(cfg, ledger)
    deployment = deploy_games(sender, ledger)
    games = GamesClient(ledger.w3, deployment.address)
    for role in ("awarder", "tournament"):
        games.transact(sender, "grantRole", games_role(role), sender.address)
    path = save_games(cfg.deployments_dir, deployment)
    out.print(f"games contract {deployment.address} beside the ledger {ledger.address} (recorded in {path})")


@app.command()
@clean_errors
def verify(
    player: Annotated[str, typer.Argument(help="your player key (0x + 64 hex)")],
    tiers: Annotated[Path | None, typer.Option(help="the published tier table document")] = None,
    tier: Annotated[str | None, typer.Option(help="the tier the operator shows you (a name)")] = None,
    badges: Annotated[Path | None, typer.Option(help="the published badges document")] = None,
    evidence: Annotated[Path | None, typer.Option(help="your badges' evidence (JSON list)")] = None,
    tournament: Annotated[str | None, typer.Option(help="a tournament id to check your standing in")] = None,
    standings: Annotated[
        Path | None, typer.Option(help="the tournament's standings file (leaves + proofs)")
    ] = None,
    prizes: Annotated[Path | None, typer.Option(help="the tournament's prize table document")] = None,
    api: Annotated[
        str | None, typer.Option(help="check what this API claims (tier, badges, leaderboard)")
    ] = None,
) -> None:
    """Check your tier, badges, score, rank and prize against the chain: exit 0 verified, 1 not."""
    key = parse_player_key(player)
    games = open_games(settings())
    tid = None if tournament is None else text_to_bytes(tournament, what="tournament id")
    if tid is not None and prizes is None:
        raise InputError("--tournament needs --prizes (and --standings, or --api)")
    if api is not None:
        problems = _check_api(games, key, api, tiers, tid, prizes)
    else:
        problems = _check_files(games, key, tiers, tier, badges, evidence, tid, standings, prizes)
    for problem in problems:
        out.print(f"problem: {problem}", markup=False)
    if problems:
        out.print(f"FAILED: {len(problems)} problems for player {player}", markup=False)
        raise typer.Exit(EXIT_FAILED)
    out.print(f"VERIFIED: tier, badges and standing of player {player} against the chain", markup=False)


def _check_files(
    games: GamesClient, key: bytes, tiers: Path | None, tier: str | None, badges: Path | None,
    evidence: Path | None, tid: bytes | None, standings: Path | None, prizes: Path | None,
) -> list[str]:  # fmt: skip
    """The check of what the operator's files claim (documents, evidence, a standings file)."""
    from ledger.games import check
    from ledger.games.badges import load_badges
    from ledger.games.facts import player_facts
    from ledger.games.standings import load_prize_table
    from ledger.games.tiers import load_tier_table

    problems: list[str] = []
    if tiers is not None:
        table = load_tier_table(tiers)
        problems += check.check_tier(
            games, key, table, None if tier is None else _tier_index(table.names, tier)
        )
    if badges is not None:
        claims = read_json(evidence, "evidence file") if evidence is not None else []
        problems += check.check_badges(
            games, key, load_badges(badges), claims, player_facts(games.ledger(), key)
        )
    if tid is not None and prizes is not None:
        if standings is None:
            raise InputError("--tournament needs --standings (or --api)")
        board = [_claim(item) for item in read_json(standings, "standings file").get("standings", [])]
        problems += check.check_standing(games, tid, key, board, load_prize_table(prizes))
    return problems


def _check_api(
    games: GamesClient, key: bytes, api: str, tiers: Path | None, tid: bytes | None, prizes: Path | None
) -> list[str]:
    """The check of what the operator's API claims: tier and table, badges, the leaderboard."""
    from ledger.games import check
    from ledger.games.apiclaims import GamesApi
    from ledger.games.facts import player_facts
    from ledger.games.standings import load_prize_table
    from ledger.games.tiers import load_tier_table

    client = GamesApi(api)
    try:
        table, claimed = client.tier(key)
        problems = check.check_tier(games, key, table, claimed)
        if tiers is not None and load_tier_table(tiers).hash != table.hash:
            problems.append("tier table: the API serves another table than the document given")
        badges, claims = client.badges(key)
        if claims:
            problems += check.check_badges(games, key, badges, claims, player_facts(games.ledger(), key))
        if tid is not None and prizes is not None:
            problems += check.check_standing(
                games, tid, key, client.board(tid, key), load_prize_table(prizes)
            )
    finally:
        client.close()
    return problems


def _tier_index(names: list[str], name: str) -> int:
    if name not in names:
        raise InputError(f"tier {name!r} is not in the table ({', '.join(names)})")
    return names.index(name)


def _claim(item: Any) -> Any:
    from ledger.games.check import Claim

    try:
        proof = [bytes.fromhex(p.removeprefix("0x")) for p in item["proof"]]
        return Claim(parse_player_key(item["player"]), int(item["score"]), int(item["rank"]), proof)
    except (KeyError, TypeError, ValueError) as exc:
        raise InputError(f"the standings file has a malformed line: {exc}") from exc
