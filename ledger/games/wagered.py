"""The `wagered` badge: total wagered in one category, over committed periods' activity leaves.

Its evidence lists, per period, the player's activity leaf (StandardMerkleTree values), its proof
and the period's rules document (whose category order says which figure is the category). The
check finds each period's commitment on the ledger, and requires the rules document to hash to
the committed rules hash, the leaf to be the player's in that period, and the proof to lead to
the committed root; the category's wagers of the distinct periods must reach the amount.
"""

from __future__ import annotations

from typing import Any

from ledger.chain.client import LedgerClient
from ledger.errors import LedgerError
from ledger.rules.document import validate_rules
from ledger.rules.leaf import leaf_from_json
from ledger.rules.merkle import process_proof
from ledger.rules.onchain import read_commitment
from ledger.rules.period import PeriodResult


def wagered_item(result: PeriodResult, player: bytes) -> dict[str, Any] | None:
    """One period's evidence for a player: leaf, proof and rules document (None if not in it)."""
    for index, leaf in enumerate(result.leaves):
        if leaf.player == player:
            proof = ["0x" + node.hex() for node in result.tree.proof(index)]
            return {"period": "0x" + result.period.hex(), "leaf": leaf.to_json(), "proof": proof,
                    "rules": result.rules.data}  # fmt: skip
    return None


def wagered_evidence(
    rule: dict[str, Any], player: bytes, results: list[PeriodResult]
) -> dict[str, Any] | None:
    """The evidence from the periods the player is in, or None when their wagers fall short."""
    items = [item for item in (wagered_item(result, player) for result in results) if item is not None]
    if not items or wagered_total(items, rule["category"]) < int(rule["amount"]):
        return None
    return {"badge": rule["id"], "player": "0x" + player.hex(), "periods": items}


def wagered_total(items: list[dict[str, Any]], category: str) -> int:
    """The category's wagers over the items' leaves (one per period), as the operator counts."""
    total = 0
    for item in items:
        categories = list(item["rules"]["categories"])
        if category in categories:
            total += leaf_from_json(item["leaf"]).activity.wagers[categories.index(category)]
    return total


def check_wagered(client: LedgerClient, rule: dict[str, Any], player: bytes, evidence: Any) -> str | None:
    """None when the evidence's committed leaves show the wagers the badge needs; else why not."""
    where = f"badge {rule['id']}"
    items = evidence.get("periods") if isinstance(evidence, dict) else None
    if not isinstance(items, list) or not items:
        return f"{where}: the evidence lists no committed periods"
    periods = [item.get("period") if isinstance(item, dict) else None for item in items]
    if len(set(periods)) != len(periods):
        return f"{where}: a period is counted twice"
    try:
        for item in items:
            problem = _check_item(client, item, player)
            if problem:
                return f"{where}: {problem}"
        total = wagered_total(items, rule["category"])
    except (LedgerError, KeyError, TypeError, ValueError, IndexError) as exc:
        return f"{where}: the evidence does not check: {exc}"
    if total < int(rule["amount"]):
        return f"{where}: {total} wagered on {rule['category']} in committed periods, the rule needs {rule['amount']}"
    return None


def _check_item(client: LedgerClient, item: dict[str, Any], player: bytes) -> str | None:
    period = bytes.fromhex(str(item["period"]).removeprefix("0x"))
    commitment = read_commitment(client, period)
    rules = validate_rules(item["rules"])
    leaf = leaf_from_json(item["leaf"])
    proof = [bytes.fromhex(str(node).removeprefix("0x")) for node in item["proof"]]
    if rules.hash != commitment.rules_hash:
        return f"period {item['period']}: the rules document is not the committed one"
    if leaf.player != player or leaf.period != period:
        return f"period {item['period']}: the leaf is not this player's in this period"
    if process_proof(leaf.hash(), proof) != commitment.root:
        return f"period {item['period']}: the leaf is not in the committed root"
    return None
