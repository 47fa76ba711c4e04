"""A small period on a real ledger: rules, activity, the computed period, and ways to cheat."""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ledger.encoding import Row
from ledger.rules import onchain
from ledger.rules.activity import PlayerActivity
from ledger.rules.document import RulesDocument, validate_rules
from ledger.rules.engine import Activity
from ledger.rules.period import PeriodResult, compute_period
from tests.conftest import LedgerHarness

FORMAT = "rewards-ledger/rules@1"


def rules_doc(percent_bp: int = 1000) -> dict[str, Any]:
    """Weekly cashback (percent of net loss, 100 to 5000) and a 100 bonus released at 30x wagering."""
    return {
        "format": FORMAT,
        "title": "Weekly cashback and a released welcome bonus",
        "categories": ["slots", "live"],
        "events": [],
        "rules": [
            {"kind": "cashback", "id": "cashback", "percent_bp": percent_bp, "min": "100", "cap": "5000"},
            {"kind": "wagering_release", "id": "welcome_release", "bonus": "100", "multiple": 30},
        ],
    }


def activity(count: int = 6) -> list[PlayerActivity]:
    """Players who lost 20,000 + 1,000 i (cashback 2,000 + 100 i, and the bonus of 100 released at
    3,000 wagered), and a last player who broke even on 10 wagered (reward 0)."""
    rows = [
        PlayerActivity(
            secrets.token_bytes(32), Activity(wagers=(20_000 + 1_000 * i, 0)), secrets.token_bytes(32)
        )
        for i in range(count - 1)
    ]
    rows.append(
        PlayerActivity(secrets.token_bytes(32), Activity(wins=10, wagers=(5, 5)), secrets.token_bytes(32))
    )
    return rows


@dataclass
class Period:
    ledger: LedgerHarness
    campaign: bytes
    rules: RulesDocument
    rows: list[PlayerActivity]
    result: PeriodResult

    @property
    def label(self) -> str:
        return self.result.period.rstrip(b"\x00").decode()

    def commit(self, total: int | None = None, root: bytes | None = None) -> None:
        r = self.result
        onchain.commit_period(
            self.ledger.client, self.ledger.sender, r.period, self.campaign, self.rules.hash,
            root or r.root, len(r.leaves), r.total if total is None else total,
        )  # fmt: skip

    def honest_rows(self) -> list[Row]:
        return [Row(player, amount, ref) for player, amount, ref in self.result.rewards()]

    def pay(self, rows: list[Row]) -> None:
        onchain.issue_period(
            self.ledger.client, self.ledger.sender, self.result.period, rows, rows_per_batch=4
        )

    def proof_file(self, directory: Path, index: int, result: PeriodResult | None = None) -> Path:
        """The file the operator hands player `index`: leaf, salt, proof and rules."""
        chosen = result or self.result
        answer = chosen.proof_of(self.rows[index].player) | {"rules": chosen.rules.data}
        path = directory / f"proof-{index}.json"
        path.write_text(json.dumps(answer))
        return path


def make_period(ledger: LedgerHarness, label: str = "week-1", doc: dict[str, Any] | None = None) -> Period:
    campaign = ledger.campaign(f"cashback-{secrets.token_hex(4)}")
    rules = validate_rules(doc or rules_doc())
    onchain.set_rules(ledger.client, ledger.sender, campaign, rules.hash, 0)
    rows = activity()
    period = label.encode().ljust(32, b"\x00")
    return Period(ledger, campaign, rules, rows, compute_period(rules, period, rows))
