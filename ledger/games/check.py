"""The player's check: their tier, badges, standing and prize against the chain, without trusting
the operator. Each function returns the problems it found (empty: everything checks)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise
from typing import Any

from ledger.encoding import unpack_rows
from ledger.events import decode_log, event_topic
from ledger.games.badges import Badge, check_evidence
from ledger.games.contract import GamesClient
from ledger.games.document import hash_of
from ledger.games.facts import Fact
from ledger.games.standings import PrizeTable, Standing, proves
from ledger.games.tiers import TierTable
from ledger.games.wagered import check_wagered
from ledger.ops.lookup import scan_logs


@dataclass(frozen=True)
class Claim:
    """One line of a leaderboard as the operator serves it: a leaf and its proof."""

    player: bytes
    score: int
    rank: int
    proof: list[bytes]

    @property
    def standing(self) -> Standing:
        return Standing(self.player, self.score, self.rank)


def check_tier(games: GamesClient, player: bytes, table: TierTable, claimed: int | None = None) -> list[str]:
    """The published table is this document; the tier follows from the ledger's figures, the
    held tier and the policy; the chain and the operator's claim both say that tier."""
    onchain = games.tier_table()
    if onchain.hash != table.hash:
        return [
            f"tier table: the chain publishes 0x{onchain.hash.hex()}, the document hashes to {table.document.hash_hex}"
        ]
    problems = []
    if (onchain.thresholds, onchain.policy, onchain.hold_seconds, onchain.grace_seconds) != (
        table.thresholds,
        table.policy,
        table.hold_seconds,
        table.grace_seconds,
    ):
        problems.append("tier table: the thresholds or policy on chain are not the document's")
    earned = games.ledger().player(player).earned
    held, since = games.held(player)
    recorded = games.events("TierRecorded", player)
    if (recorded[-1]["toTier"] if recorded else 0) != held:
        problems.append(f"tier: the held tier {held} is not the last TierRecorded event's")
    now = int(games.w3.eth.get_block("latest")["timestamp"])
    expected = table.apply(table.computed(earned), held, since, onchain.published_at, now)
    if games.tier_of(player) != expected:
        problems.append(f"tier: the contract says {games.tier_of(player)}, the figures give {expected}")
    if claimed is not None and claimed != expected:
        problems.append(f"tier: claimed {table.names[claimed] if 0 <= claimed < len(table.names) else claimed}, "
                        f"lifetime earned {earned} gives {table.names[expected]}")  # fmt: skip
    return problems


def check_badges(
    games: GamesClient,
    player: bytes,
    badges: dict[str, Badge],
    claims: Sequence[dict[str, Any]],
    facts: list[Fact],
) -> list[str]:
    """Each claimed badge: its rule is the published one, the award's evidence hash is this
    evidence's, and the ledger's facts bear the evidence out."""
    problems = []
    for claim in claims:
        badge = badges.get(str(claim.get("badge")))
        if badge is None:
            problems.append(f"badge {claim.get('badge')!r} is not in the badges document")
            continue
        if games.badge_rule(badge.key) != badge.rule_hash:
            problems.append(f"badge {badge.id}: the chain's rule hash is not the document's")
        evidence = claim.get("evidence")
        if games.badge_of(player, badge.key) != hash_of(evidence):
            problems.append(f"badge {badge.id}: no award on chain with this evidence")
        problem = check_evidence(badge, player, evidence, facts)
        if problem is None and badge.rule["kind"] == "wagered":
            problem = check_wagered(games.ledger(), badge.rule, player, evidence)
        if problem:
            problems.append(problem)
    return problems


def check_standing(
    games: GamesClient, tournament: bytes, player: bytes, board: Sequence[Claim], table: PrizeTable
) -> list[str]:
    """The player's leaf is in the latest committed standings (the final one once final), every
    rank above theirs is there with a proof and a score no lower, and their prize follows the
    table (once prizes are issued)."""
    state = games.tournament(tournament)
    if not state.exists:
        return ["tournament: not on chain"]
    commits = games.events("StandingsCommitted", tournament)
    created = games.events("TournamentCreated", tournament)
    problems = []
    if bytes(created[0]["prizeTableHash"]) != table.document.hash or created[0]["prizeTotal"] != table.total:
        problems.append("prize table: the document is not the one the tournament published")
    if not commits:
        return [*problems, "standings: none committed yet"]
    root, participants = bytes(commits[-1]["root"]), int(commits[-1]["participants"])
    if state.final and root != state.final_root:
        problems.append("standings: the last commitment is not the final root")
    mine = [c for c in board if c.player == player]
    if not mine:
        return [*problems, "standings: the player is not in the committed standings"]
    me = mine[0]
    for claim in board:
        if not proves(claim.standing, claim.proof, root):
            problems.append(f"standings: rank {claim.rank} ({claim.score}) is not in the committed root")
    above = sorted((c for c in board if c.rank < me.rank), key=lambda c: c.rank)
    if [c.rank for c in above] != list(range(1, me.rank)) or me.rank > participants:
        problems.append(f"standings: ranks above {me.rank} are missing or repeated")
    if any(c.score < me.score for c in above) or any(a.score < b.score for a, b in pairwise(above)):
        problems.append("standings: a player ranked above scores lower")
    if state.prizes_issued:
        problems += check_prizes(games, tournament, table, participants, me)
    return problems


def check_prizes(
    games: GamesClient, tournament: bytes, table: PrizeTable, participants: int, me: Claim
) -> list[str]:
    """The prize batch: its total is the table's, and this player's row is their rank's prize."""
    client = games.ledger()
    batch_id = bytes(games.call("prizeBatchId", tournament))
    logs = list(
        scan_logs(client, [event_topic("BatchIssued")], 0, client.w3.eth.block_number, more_topics=[batch_id])
    )
    if len(logs) != 1:
        return ["prizes: the prize batch is not on the ledger"]
    rows = unpack_rows(decode_log(logs[0]).args["records"])
    problems = []
    total, expected = sum(r.amount for r in rows), table.total_for(participants)
    if total != expected:
        problems.append(f"prizes: the batch pays {total}, the table {expected}")
    paid = sum(r.amount for r in rows if r.player == me.player)
    if paid != table.prize(me.rank):
        problems.append(f"prizes: rank {me.rank} was paid {paid}, the table gives {table.prize(me.rank)}")
    return problems
