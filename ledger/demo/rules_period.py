"""The demo's weekly cashback on published rules: one period computed, committed and paid, and a
period file for each regular player to open in the page's "How a reward was computed".

The rules (10 % cashback of net loss, 100 to 5,000, a 100 bonus released at 30x wagering, a
silver tier at x1.1) are published as the weekly-cashback campaign's rules version; the activity
of the regulars and 200 players of the crowd comes from fixed seeds, and each salt from the
player-key secret, so a resumed demo computes the same period and sends nothing again.
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from pathlib import Path
from typing import Any

from eth_utils.crypto import keccak

from ledger.config import Settings
from ledger.demo.chain import DemoChain
from ledger.demo.story import regular_ids
from ledger.encoding import Row, text_to_bytes
from ledger.rules import onchain
from ledger.rules.activity import PlayerActivity
from ledger.rules.document import validate_rules
from ledger.rules.engine import Activity
from ledger.rules.period import compute_period, write_outputs

CAMPAIGN = "weekly-cashback"
PERIOD = "cashback-rules-week-8"
CROWD = 200
RULES: dict[str, Any] = {
    "format": "rewards-ledger/rules@1",
    "title": "Weekly cashback: 10 % of net loss (100 to 5,000); welcome bonus of 100 released at 30x wagering",
    "categories": ["slots", "live", "sports"],
    "events": [],
    "tiers": [{"name": "silver", "multiplier_bp": 11000}],
    "rules": [
        {"kind": "cashback", "id": "cashback", "percent_bp": 1000, "min": "100", "cap": "5000"},
        {"kind": "wagering_release", "id": "welcome_release", "bonus": "100", "multiple": 30},
    ],
}


def activity(crowd: list[bytes], regulars: list[bytes], secret: bytes) -> list[PlayerActivity]:
    """The week's figures: the regulars (silver tier) first, then part of the crowd."""
    rng, period = random.Random(PERIOD), text_to_bytes(PERIOD)
    rows = []
    for index, player in enumerate([*regulars, *crowd[:CROWD]]):
        wagers = (rng.randrange(40_000), rng.randrange(15_000), rng.randrange(8_000))
        wins = rng.randrange(sum(wagers) * 11 // 10 + 1)
        tier = 1 if index < len(regulars) else 0
        figures = Activity(rng.randrange(20_000), 0, wins, rng.randrange(3_500), tier, 0, 0, wagers)
        rows.append(PlayerActivity(player, figures, keccak(secret + period + player)))
    return rows


def planned_rewards(crowd: list[bytes], regulars: list[bytes], secret: bytes) -> int:
    """How many entries the period pays (players whose reward is not zero)."""
    return len(
        compute_period(
            validate_rules(RULES), text_to_bytes(PERIOD), activity(crowd, regulars, secret)
        ).rewards()
    )


def write_rules_period(cfg: Settings, chain: DemoChain, secret: bytes, say: Callable[[str], None]) -> Path:
    """Publishes the rules, computes, commits and pays the period (each step skipped if done);
    returns the directory holding the regulars' period files."""
    client, sender = chain.client, chain.sender
    rules, campaign, period = validate_rules(RULES), text_to_bytes(CAMPAIGN), text_to_bytes(PERIOD)
    if onchain.rules_version(client, campaign, rules.hash)[0] == 0:
        onchain.set_rules(client, sender, campaign, rules.hash, 0)
    rows = activity(chain.keys, chain.regulars, secret)
    result = compute_period(rules, period, rows)
    directory = cfg.data_dir / "demo" / "periods" / PERIOD
    write_outputs(result, rows, CAMPAIGN, directory)
    if client.contract.functions.periodOf(period).call()[0] == b"\x00" * 32:
        onchain.commit_period(
            client, sender, period, campaign, rules.hash, result.root, len(result.leaves), result.total
        )
    onchain.issue_period(client, sender, period, [Row(*reward) for reward in result.rewards()])
    files = directory / "players"
    files.mkdir(exist_ok=True)
    for name, player in zip(regular_ids(), chain.regulars, strict=False):
        answer = result.proof_of(player) | {"rules": rules.data}
        (files / f"{name}.json").write_text(json.dumps(answer, indent=1) + "\n", encoding="utf-8")
    say(
        f"weekly cashback on published rules: period {PERIOD}, {len(result.leaves)} players, total "
        f"{result.total:,}, committed and paid; the regulars' period files are in {files}"
    )
    return files
