"""What a reconciliation found: PASS, or FAIL with the first divergent entry and each differing figure."""

from __future__ import annotations

from dataclasses import dataclass, field

MAX_DIFFERENCES = 200


@dataclass(frozen=True)
class Difference:
    """One figure on which the mirror and the chain disagree."""

    what: str  # e.g. "entry amount", "player balance", "campaign issued", "total paid"
    key: str  # which row: "entry 17 (tx 0x…, log 0)", "player 0x…", "campaign 0x…", "" for globals
    chain: str
    mirror: str


@dataclass
class ReconcileReport:
    ok: bool
    block: int
    chain_entries: int
    mirror_entries: int
    chain_head: str
    mirror_head: str
    first_divergent_seq: int | None = None
    differences: list[Difference] = field(default_factory=list)
    players_checked: int = 0
    campaigns_checked: int = 0
    omitted: int = 0  # differences found beyond MAX_DIFFERENCES

    def add(self, what: str, key: str, chain: object, mirror: object) -> None:
        self.ok = False
        if len(self.differences) >= MAX_DIFFERENCES:
            self.omitted += 1
            return
        self.differences.append(Difference(what, key, str(chain), str(mirror)))

    def lines(self) -> list[str]:
        """The report as a person reads it: the verdict first, then each difference."""
        verdict = "PASS" if self.ok else "FAIL"
        out = [
            f"{verdict} at block {self.block}: chain {self.chain_entries} entries, head {self.chain_head}; "
            f"mirror {self.mirror_entries} entries, head {self.mirror_head}",
            f"checked {self.players_checked} players and {self.campaigns_checked} campaigns",
        ]
        if self.first_divergent_seq is not None:
            out.append(f"first divergent entry: seq {self.first_divergent_seq}")
        for d in self.differences:
            key = f" {d.key}" if d.key else ""
            out.append(f"  {d.what}{key}: chain {d.chain}, mirror {d.mirror}")
        if self.omitted:
            out.append(f"  ... and {self.omitted} more differences")
        return out
