"""The two checks of a committed period against the chain.

The player's: one leaf (with its salt and proof) and the published rules. The reward is
recomputed from the leaf's figures, the leaf is proven against the committed root, the rules
against the committed rules hash, and the period's batches must pay the player exactly that.

The auditor's: the whole activity file (with the salts). Every leaf, the root, the leaf count
and the total are recomputed and compared with the commitment, and every batch row with the
reward the rules give its player.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ledger.encoding import Row
from ledger.rules.document import RulesDocument
from ledger.rules.engine import ActivityMismatch, compute
from ledger.rules.leaf import Leaf
from ledger.rules.merkle import process_proof
from ledger.rules.period import ROW_REF_BYTES, PeriodResult

if TYPE_CHECKING:  # the chain client (web3) is not imported for `ledger --help`
    from ledger.rules.onchain import Commitment


@dataclass
class PeriodCheck:
    """What a check found: the problems (none means verified) and the figures it compared."""

    period: str
    problems: list[str] = field(default_factory=list)
    computed: int = 0
    paid: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems


def check_leaf(
    label: str,
    leaf: Leaf,
    proof: Sequence[bytes],
    rules: RulesDocument,
    commitment: Commitment,
    rows: Sequence[Row],
) -> PeriodCheck:
    """The player's check of one period: `rows` are the period's batch rows from the chain."""
    result = PeriodCheck(label)
    problems = result.problems
    if rules.hash != commitment.rules_hash:
        problems.append(
            f"period {label}: the rules given hash to {rules.hash_hex}, but the period was committed under 0x{commitment.rules_hash.hex()}"
        )
    if leaf.period != commitment.period:
        problems.append(f"period {label}: the leaf is for period 0x{leaf.period.hex()}")
    try:
        result.computed = compute(rules.data, leaf.activity).total
    except ActivityMismatch as exc:
        problems.append(f"period {label}: the leaf's figures do not fit the rules: {exc}")
    if result.computed != leaf.reward:
        problems.append(
            f"period {label}: the leaf states a reward of {leaf.reward} but the rules give {result.computed} (difference {result.computed - leaf.reward})"
        )
    digest = leaf.hash()
    if process_proof(digest, proof) != commitment.root:
        problems.append(f"period {label}: the leaf and its proof do not lead to the committed root 0x{commitment.root.hex()}: the leaf is not the one committed")  # fmt: skip
    mine = [row for row in rows if row.player == leaf.player]
    result.paid = sum(row.amount for row in mine)
    if result.paid != result.computed:
        problems.append(
            f"period {label}: the ledger paid {result.paid} where the rules give {result.computed} (difference {result.computed - result.paid})"
        )
    if any(row.ref != digest[:ROW_REF_BYTES] for row in mine):
        problems.append(f"period {label}: a reward entry does not name this leaf")
    return result


def audit_period(
    label: str, result: PeriodResult, commitment: Commitment, rows: Sequence[Row]
) -> PeriodCheck:
    """The auditor's check: the recomputed period against its commitment and its batch rows."""
    check = PeriodCheck(label, computed=result.total, paid=sum(row.amount for row in rows))
    problems = check.problems
    compared = [
        ("rules hash", result.rules.hash_hex, "0x" + commitment.rules_hash.hex()),
        ("root", "0x" + result.root.hex(), "0x" + commitment.root.hex()),
        ("leaf count", str(len(result.leaves)), str(commitment.leaf_count)),
        ("total", str(result.total), str(commitment.total)),
    ]
    for what, recomputed, committed in compared:
        if recomputed != committed:
            problems.append(f"period {label}: {what} recomputed {recomputed}, committed {committed}")
    paid: dict[bytes, int] = defaultdict(int)
    for row in rows:
        paid[row.player] += row.amount
    owed = {leaf.player: leaf.reward for leaf in result.leaves}
    for player in sorted(set(owed) | set(paid)):
        got, due = paid.get(player, 0), owed.get(player)
        if due is None:
            problems.append(
                f"period {label}: player 0x{player.hex()} was paid {got} but has no activity leaf"
            )
        elif got != due:
            problems.append(f"period {label}: player 0x{player.hex()} was paid {got} where the rules give {due} (difference {due - got})")  # fmt: skip
    return check
