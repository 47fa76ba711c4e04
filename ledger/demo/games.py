"""The demo's tiers, badges and weekly tournament: a published tier table and the regulars' tiers,
three badges awarded where the ledger's facts support them, and a finished weekly tournament of
the regulars and part of the crowd with its final standings and prizes (from `tournament-prizes`).

Every step is skipped when it landed, so a resumed demo sends nothing again. The documents go to
`data/demo/games/` so a player can run `ledger games verify 0xPLAYER --api URL ...`.
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ledger.config import Settings
from ledger.demo.chain import DemoChain
from ledger.encoding import text_to_bytes
from ledger.games.badges import FORMAT as BADGES_FORMAT
from ledger.games.badges import badges_of, evidence_for
from ledger.games.contract import GamesClient, GamesDeployment, deploy_games, games_role, save_games
from ledger.games.document import hash_of, parse_document
from ledger.games.facts import players_facts
from ledger.games.mirror import save_badge, save_standings, save_tier_table
from ledger.games.standings import PRIZES_FORMAT, SCORING_FORMAT, Score, prize_table, rank
from ledger.games.tiers import FORMAT as TIERS_FORMAT
from ledger.games.tiers import tier_table
from ledger.games.tournament import issue_prizes

TOURNAMENT = "weekly-tournament-8"
CAMPAIGN = "tournament-prizes"
CROWD = 200
TIERS = {
    "format": TIERS_FORMAT, "base": "member",
    "tiers": [{"name": "silver", "min_earned": "1000", "multiplier_bp": 11000},
              {"name": "gold", "min_earned": "10000", "multiplier_bp": 12500},
              {"name": "platinum", "min_earned": "50000", "multiplier_bp": 15000}],
    "downgrade": {"policy": "recheck", "every_days": 30, "grace_days": 14},
}  # fmt: skip
BADGES = {
    "format": BADGES_FORMAT,
    "badges": [{"id": "first-payout", "kind": "first_payout", "title": "First cash-out"},
               {"id": "four-weeks", "kind": "active_weeks", "weeks": 4, "title": "Four weeks in a row"},
               {"id": "earned-5000", "kind": "earned_at_least", "amount": "5000", "title": "5,000 earned"}],
}  # fmt: skip
PRIZES = {"format": PRIZES_FORMAT, "prizes": ["500", "250", "100"]}
SCORING = {"format": SCORING_FORMAT, "description": "points won on slots during the week"}


def ensure_games(cfg: Settings, chain: DemoChain) -> GamesClient:
    """The games contract beside the demo's ledger (deployed once)."""
    from ledger.errors import NotFound
    from ledger.games.contract import load_games

    client, sender = chain.client, chain.sender
    try:
        games = GamesClient(client.w3, load_games(cfg.deployments_dir, client.chain_id).address)
        if client.w3.eth.get_code(games.address):
            return games
    except NotFound:
        pass
    deployment: GamesDeployment = deploy_games(sender, client)
    games = GamesClient(client.w3, deployment.address)
    for role in ("awarder", "tournament"):
        games.transact(sender, "grantRole", games_role(role), sender.address)
    save_games(cfg.deployments_dir, deployment)
    return games


def write_games(cfg: Settings, chain: DemoChain, say: Callable[[str], None]) -> None:
    from ledger.cli.games import to_mirror

    games, sender = ensure_games(cfg, chain), chain.sender
    directory = cfg.data_dir / "demo" / "games"
    _documents(directory)
    table = tier_table(parse_document(json.dumps(TIERS), TIERS_FORMAT, "tiers"))
    if games.tier_table().hash != table.hash:
        games.transact(sender, "publishTierTable", table.hash, table.thresholds, table.policy, table.hold_seconds, table.grace_seconds)  # fmt: skip
    to_mirror(cfg, save_tier_table, games.tier_table().version, table.hash, table.document.canonical)
    for player in chain.regulars:
        if games.held(player)[0] != games.tier_of(player):
            games.transact(sender, "syncTier", player)
    awarded = _badges(cfg, chain, games, to_mirror)
    _tournament(cfg, chain, games, directory, to_mirror)
    say(f"games: tier table {table.document.hash_hex[:14]}…, {awarded} badges held by the regulars, tournament {TOURNAMENT} finished and paid")  # fmt: skip


def _documents(directory: Path) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    for name, data in (("tiers", TIERS), ("badges", BADGES), ("prizes", PRIZES), ("scoring", SCORING)):
        (directory / f"{name}.json").write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")


def _badges(cfg: Settings, chain: DemoChain, games: GamesClient, to_mirror: Any) -> int:
    badges = badges_of(parse_document(json.dumps(BADGES), BADGES_FORMAT, "badges"))
    for badge in badges.values():
        if games.badge_rule(badge.key) == b"\x00" * 32:
            games.transact(chain.sender, "defineBadge", badge.key, badge.rule_hash)
    facts = players_facts(chain.client, set(chain.regulars), chain.deploy_block)
    held = 0
    for player in chain.regulars:
        for badge in badges.values():
            evidence = evidence_for(badge, player, facts[player])
            if evidence is None:
                continue
            if games.badge_of(player, badge.key) == b"\x00" * 32:
                games.transact(chain.sender, "awardBadge", player, badge.key, hash_of(evidence))
            to_mirror(cfg, save_badge, player, badge.key, badge.rule, evidence)
            held += 1
    return held


def _tournament(cfg: Settings, chain: DemoChain, games: GamesClient, directory: Path, to_mirror: Any) -> None:
    tid, sender = text_to_bytes(TOURNAMENT), chain.sender
    table = prize_table(parse_document(json.dumps(PRIZES), PRIZES_FORMAT, "prizes"))
    rng = random.Random(TOURNAMENT)
    players = [*chain.regulars, *chain.keys[:CROWD]]
    standings = rank([Score(p, rng.randrange(50_000), rng.randrange(7 * 86_400)) for p in players])
    state = games.tournament(tid)
    if not state.exists:
        now = int(chain.client.w3.eth.get_block("latest")["timestamp"])
        scoring = parse_document(json.dumps(SCORING), SCORING_FORMAT, "scoring")
        games.transact(sender, "createTournament", tid, text_to_bytes(CAMPAIGN), scoring.hash, table.document.hash,
                       table.total, len(table.prizes), now - 7 * 86_400, now - 60)  # fmt: skip
    if not games.tournament(tid).final:
        midway = rank([Score(s.player, s.score // 2, s.rank) for s in standings.ranked])
        if games.tournament(tid).commits == 0:
            games.transact(sender, "commitStandings", tid, midway.root, len(midway.ranked), False)
        games.transact(sender, "commitStandings", tid, standings.root, len(standings.ranked), True)
    state = games.tournament(tid)
    to_mirror(cfg, save_standings, tid, standings, state.commits, True)
    issue_prizes(games, sender, tid, standings, table)
    final = {"root": "0x" + standings.root.hex(), "participants": len(standings.ranked), "leaf_types": ["bytes32", "uint256", "uint256"]}  # fmt: skip
    (directory / "tournament.json").write_text(json.dumps(final, indent=2) + "\n", encoding="utf-8")
