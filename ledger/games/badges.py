"""Badge rules over ledger facts and committed activity, their evidence, and the check.

A badges document (`rewards-ledger/badges@1`) lists badges by id; each badge's rule hash (the one
on chain) is the keccak256 of its object's canonical JSON. Kinds:

- `first_payout`: the player has a payout entry; evidence names its seq;
- `active_weeks` (`weeks`: N): N consecutive weeks (unix weeks) each holding an entry of the
  player; evidence lists the weeks and one entry seq per week;
- `earned_at_least` (`amount`): lifetime earned on the ledger reaches the amount; evidence names
  the seq of the entry that reached it;
- `wagered` (`category`, `amount`): the wagers in a category over committed periods' activity
  leaves reach the amount; evidence lists each period's leaf, proof and rules document (checked
  in ledger/games/wagered.py against each period's commitment).

The evidence is a JSON object whose canonical keccak256 is the award's evidence hash; anyone
re-checks it against the ledger's own events.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ledger.games.document import Document, GamesError, amount, count, hash_of, read_document, text
from ledger.games.facts import Fact
from ledger.hashchain import EntryKind

FORMAT = "rewards-ledger/badges@1"
KINDS = {
    "first_payout": set(), "active_weeks": {"weeks"}, "earned_at_least": {"amount"},
    "wagered": {"category", "amount"},
}  # fmt: skip


@dataclass(frozen=True)
class Badge:
    id: str
    rule: dict[str, Any]

    @property
    def key(self) -> bytes:
        return self.id.encode().ljust(32, b"\x00")

    @property
    def rule_hash(self) -> bytes:
        return hash_of(self.rule)


def load_badges(path: Path) -> dict[str, Badge]:
    return badges_of(read_document(path, FORMAT), str(path))


def badges_of(document: Document, source: str = "badges") -> dict[str, Badge]:
    items = document.data.get("badges")
    if not isinstance(items, list) or not items:
        raise GamesError(f"{source}: at badges: a list of badges expected")
    found: dict[str, Badge] = {}
    for index, rule in enumerate(items):
        where = f"{source}: at badges/{index}"
        if not isinstance(rule, dict) or rule.get("kind") not in KINDS:
            raise GamesError(f"{where}: kind must be one of {', '.join(KINDS)}")
        badge_id = text(rule.get("id"), f"{where}/id")
        extra = set(rule) - {"id", "kind", "title"} - KINDS[rule["kind"]]
        if extra or not KINDS[rule["kind"]] <= set(rule):
            raise GamesError(
                f"{where}: a {rule['kind']} badge takes {sorted(KINDS[rule['kind']]) or 'no parameters'}"
            )
        if rule["kind"] == "active_weeks":
            count(rule["weeks"], f"{where}/weeks", 1, 520)
        if rule["kind"] in ("earned_at_least", "wagered"):
            amount(rule["amount"], f"{where}/amount", positive=True)
        if rule["kind"] == "wagered":
            text(rule["category"], f"{where}/category", limit=64)
        if badge_id in found:
            raise GamesError(f"{where}: the badge id {badge_id!r} is used twice")
        found[badge_id] = Badge(badge_id, rule)
    return found


def evidence_for(badge: Badge, player: bytes, facts: list[Fact]) -> dict[str, Any] | None:
    """The evidence that the facts support the badge, or None when they do not (yet)."""
    base = {"badge": badge.id, "player": "0x" + player.hex()}
    kind = badge.rule["kind"]
    if kind == "wagered":
        raise GamesError(f"badge {badge.id}: its evidence comes from committed periods (--period)")
    if kind == "first_payout":
        paid = [f for f in facts if f.kind == EntryKind.PAID]
        return base | {"payout_seq": paid[0].seq} if paid else None
    if kind == "earned_at_least":
        earned = 0
        for fact in facts:
            earned += fact.amount if fact.kind == EntryKind.ISSUED else 0
            if earned >= int(badge.rule["amount"]):
                return base | {"reached_seq": fact.seq}
        return None
    run = _week_run(facts, int(badge.rule["weeks"]))
    return None if run is None else base | {"weeks": [w for w, _ in run], "seqs": [s for _, s in run]}


def progress(badge: Badge, facts: list[Fact]) -> tuple[int, int]:
    """(done, needed) toward the badge, for the shelf."""
    kind = badge.rule["kind"]
    if kind == "wagered":  # counted over committed periods, not ledger entries: see the evidence
        return 0, int(badge.rule["amount"])
    if kind == "first_payout":
        return min(1, sum(f.kind == EntryKind.PAID for f in facts)), 1
    if kind == "earned_at_least":
        earned = sum(f.amount for f in facts if f.kind == EntryKind.ISSUED)
        return min(earned, int(badge.rule["amount"])), int(badge.rule["amount"])
    weeks = sorted({f.week for f in facts})
    best = longest = 0
    for index, week in enumerate(weeks):
        longest = longest + 1 if index and week == weeks[index - 1] + 1 else 1
        best = max(best, longest)
    return min(best, int(badge.rule["weeks"])), int(badge.rule["weeks"])


def check_evidence(badge: Badge, player: bytes, evidence: Any, facts: list[Fact]) -> str | None:
    """None when the evidence is the badge's and the ledger's facts bear it out; else why not."""
    if (
        not isinstance(evidence, dict)
        or evidence.get("badge") != badge.id
        or evidence.get("player") != "0x" + player.hex()
    ):
        return f"badge {badge.id}: the evidence is not this player's and badge's"
    by_seq = {f.seq: f for f in facts}
    kind = badge.rule["kind"]
    if kind == "wagered":  # its facts are committed periods: ledger.games.wagered.check_wagered
        return None
    if kind == "first_payout":
        fact = by_seq.get(evidence.get("payout_seq", -1))
        if fact is None or fact.kind != EntryKind.PAID:
            return f"badge {badge.id}: entry {evidence.get('payout_seq')} is not a payout of this player"
        return None
    if kind == "earned_at_least":
        seq = evidence.get("reached_seq", -1)
        earned = sum(f.amount for f in facts if f.kind == EntryKind.ISSUED and f.seq <= seq)
        if seq not in by_seq or earned < int(badge.rule["amount"]):
            return f"badge {badge.id}: earned {earned} by entry {seq}, the rule needs {badge.rule['amount']}"
        return None
    weeks, seqs = evidence.get("weeks"), evidence.get("seqs")
    needed = int(badge.rule["weeks"])
    if (
        not isinstance(weeks, list)
        or not isinstance(seqs, list)
        or len(weeks) != needed
        or len(seqs) != needed
    ):
        return f"badge {badge.id}: the evidence does not list {needed} weeks"
    for index, (week, seq) in enumerate(zip(weeks, seqs, strict=True)):
        fact = by_seq.get(seq)
        if fact is None or fact.week != week or (index and week != weeks[index - 1] + 1):
            return f"badge {badge.id}: week {week} is not backed by entry {seq} of this player in a run"
    return None


def _week_run(facts: list[Fact], needed: int) -> list[tuple[int, int]] | None:
    first_seq: dict[int, int] = {}
    for fact in facts:
        first_seq.setdefault(fact.week, fact.seq)
    weeks = sorted(first_seq)
    for index in range(len(weeks) - needed + 1):
        window = weeks[index : index + needed]
        if window[-1] - window[0] == needed - 1:
            return [(week, first_seq[week]) for week in window]
    return None
