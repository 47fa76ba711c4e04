"""What a reconciliation found: PASS, or FAIL with the first divergent row and each differing column."""

from __future__ import annotations

from dataclasses import dataclass, field

MAX_DIFFERENCES = 200
SHOWN_CHARACTERS = 80  # longer values (a batch's records) are shortened in the report


@dataclass(frozen=True)
class Difference:
    """One column (or row) on which the mirror and the chain disagree."""

    what: str  # e.g. "entry amount", "event data.ref", "block timestamp", "player balance", "total paid"
    key: str  # which row: "entries seq 17 (block 9, tx 0x…, log 0)", "players 0x…", "" for globals
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
    first_divergent_seq: int | None = None  # the first entry whose `entries` row differs
    first_divergent_row: str | None = None  # the first row of any table that differs, in chain order
    differences: list[Difference] = field(default_factory=list)
    players_checked: int = 0
    campaigns_checked: int = 0
    rows_checked: int = 0  # rows of entries, events, payouts, reversals, expiries and blocks
    omitted: int = 0  # differences found beyond MAX_DIFFERENCES

    def add(self, what: str, key: str, chain: object, mirror: object) -> None:
        self.ok = False
        if self.first_divergent_row is None and key:
            self.first_divergent_row = key
        if len(self.differences) >= MAX_DIFFERENCES:
            self.omitted += 1
            return
        difference = Difference(what, key, _short(str(chain)), _short(str(mirror)))
        if difference not in self.differences:  # two checks may find the same
            self.differences.append(difference)

    def lines(self) -> list[str]:
        """The report as a person reads it: the verdict first, then each difference."""
        verdict = "PASS" if self.ok else "FAIL"
        out = [
            f"{verdict} at block {self.block}: chain {self.chain_entries} entries, head {self.chain_head}; "
            f"mirror {self.mirror_entries} entries, head {self.mirror_head}",
            f"checked {self.rows_checked} rows, {self.players_checked} players "
            f"and {self.campaigns_checked} campaigns",
        ]
        if self.first_divergent_seq is not None:
            out.append(f"first divergent entry: seq {self.first_divergent_seq}")
        if self.first_divergent_row is not None:
            out.append(f"first divergent row: {self.first_divergent_row}")
        for d in self.differences:
            key = f" {d.key}" if d.key else ""
            out.append(f"  {d.what}{key}: chain {d.chain}, mirror {d.mirror}")
        if self.omitted:
            out.append(f"  ... and {self.omitted} more differences")
        return out


def _short(text: str) -> str:
    if len(text) <= SHOWN_CHARACTERS:
        return text
    return f"{text[:40]}…{text[-16:]} ({len(text)} characters)"
