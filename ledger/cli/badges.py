"""`ledger badges`: publish badge rules and award badges the ledger's facts support."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer

from ledger.cli.common import clean_errors, out, settings
from ledger.encoding import parse_player_key
from ledger.errors import InputError
from ledger.games.badges import load_badges

app = typer.Typer(
    help="Publish badge rules and award badges, each backed by ledger facts.", no_args_is_help=True
)
ZERO = b"\x00" * 32
BadgesFile = Annotated[Path, typer.Argument(help="the badges document (JSON, see docs/gamification.md)")]


@app.command()
@clean_errors
def publish(file: BadgesFile) -> None:
    """Publish each badge's rule hash (admin only; a defined badge never changes)."""
    from ledger.cli.games import games_sender, open_games

    cfg = settings()
    badges = load_badges(file)
    games = open_games(cfg)
    sender = games_sender(cfg, games)
    for badge in badges.values():
        onchain = games.badge_rule(badge.key)
        if onchain == badge.rule_hash:
            continue
        if onchain != b"\x00" * 32:
            raise InputError(f"badge {badge.id} is published with another rule: use a new badge id")
        games.transact(sender, "defineBadge", badge.key, badge.rule_hash)
        out.print(f"badge {badge.id}: rule 0x{badge.rule_hash.hex()}", markup=False)


@app.command()
@clean_errors
def award(
    file: BadgesFile,
    badge: Annotated[str, typer.Argument(help="the badge id")],
    player: Annotated[str, typer.Argument(help="player key (0x + 64 hex)")],
    period: Annotated[
        list[Path] | None, typer.Option(help="a committed period's directory (wagered badges; repeatable)")
    ] = None,
) -> None:
    """Award a badge the ledger's facts support, with its evidence (awarder only; once)."""
    from ledger.cli.games import games_sender, open_games, to_mirror
    from ledger.games.badges import evidence_for
    from ledger.games.document import hash_of
    from ledger.games.facts import player_facts
    from ledger.games.mirror import save_badge

    cfg = settings()
    badges = load_badges(file)
    if badge not in badges:
        raise InputError(f"badge {badge!r} is not in {file}")
    key = parse_player_key(player)
    games = open_games(cfg)
    held = games.badge_of(key, badges[badge].key)
    if badges[badge].rule["kind"] == "wagered":
        evidence = _wagered(badges[badge].rule, key, period or [])
    else:
        evidence = evidence_for(badges[badge], key, player_facts(games.ledger(), key))
    if held != ZERO and (evidence is None or held != hash_of(evidence)):
        raise InputError(f"player {player} already holds badge {badge}: a badge is awarded once")
    if evidence is None:
        raise InputError(f"the ledger's facts do not support badge {badge} for player {player}")
    if held == ZERO:
        games.transact(games_sender(cfg, games), "awardBadge", key, badges[badge].key, hash_of(evidence))
    else:  # a re-run after the award landed: keep its evidence, send nothing
        out.print(f"badge {badge} was already awarded with this evidence: nothing sent", markup=False)
    to_mirror(cfg, save_badge, key, badges[badge].key, badges[badge].rule, evidence)
    path = _keep_evidence(cfg.data_dir / "badges" / f"0x{key.hex()}.json", badge, evidence)
    out.print(f"badge {badge} awarded to {player}; evidence in {path}", markup=False)


def _wagered(rule: dict[str, Any], key: bytes, directories: list[Path]) -> dict[str, Any] | None:
    from ledger.cli.period import load_period
    from ledger.games.wagered import wagered_evidence

    if not directories:
        raise InputError(f"badge {rule['id']} counts committed periods: give them with --period DIR")
    return wagered_evidence(rule, key, [load_period(directory)[1] for directory in directories])


def _keep_evidence(path: Path, badge: str, evidence: dict[str, Any]) -> Path:
    """Adds the award to the player's evidence file (what `games verify --evidence` reads)."""
    claims = json.loads(path.read_text(encoding="utf-8")) if path.exists() else []
    claims = [c for c in claims if c.get("badge") != badge] + [{"badge": badge, "evidence": evidence}]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(claims, indent=1) + "\n", encoding="utf-8")
    return path
