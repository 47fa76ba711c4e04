"""`ledger tiers`: publish a tier table and record players' tiers."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ledger.cli.common import clean_errors, out, settings
from ledger.encoding import parse_player_key
from ledger.games.tiers import load_tier_table

app = typer.Typer(help="Publish the tier table and record players' tiers.", no_args_is_help=True)


@app.command()
@clean_errors
def check(
    file: Annotated[Path, typer.Argument(help="the tier table (JSON, see docs/gamification.md)")],
) -> None:
    """Validate a tier table and print its hash."""
    table = load_tier_table(file)
    out.print(f"valid: {len(table.thresholds)} tiers above {table.names[0]}: {', '.join(table.names[1:])}")
    out.print(f"tier table hash {table.document.hash_hex}", markup=False)


@app.command()
@clean_errors
def publish(
    file: Annotated[Path, typer.Argument(help="the tier table (JSON, see docs/gamification.md)")],
) -> None:
    """Publish the tier table: its hash, thresholds and downgrade policy on chain (admin only)."""
    from ledger.cli.games import games_sender, open_games, to_mirror
    from ledger.games.mirror import save_tier_table

    cfg = settings()
    table = load_tier_table(file)  # refused before anything is sent
    games = open_games(cfg)
    args = (table.hash, table.thresholds, table.policy, table.hold_seconds, table.grace_seconds)
    games.transact(games_sender(cfg, games), "publishTierTable", *args)
    version = games.tier_table().version
    to_mirror(cfg, save_tier_table, version, table.hash, table.document.canonical)
    out.print(f"tier table version {version} published: {table.document.hash_hex}", markup=False)


@app.command()
@clean_errors
def sync(player: Annotated[str, typer.Argument(help="player key (0x + 64 hex)")]) -> None:
    """Record a player's current tier as held (what a later downgrade is measured from)."""
    from ledger.cli.games import games_sender, open_games

    cfg = settings()
    key = parse_player_key(player)
    games = open_games(cfg)
    games.transact(games_sender(cfg, games), "syncTier", key)
    tier, since = games.held(key)
    out.print(f"player {player}: tier {tier} held since {since}", markup=False)
