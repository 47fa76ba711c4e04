"""The recompute checks on the command line: the player's (`ledger verify PLAYER --recompute
FILE`) and the auditor's (`ledger audit recompute --period P --rules R activity.csv`).

Each prints one line per problem and VERIFIED/PASS or FAILED/FAIL; exit 0 or 1.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NamedTuple

import typer

from ledger.cli.common import clean_errors, out, settings
from ledger.encoding import text_to_bytes
from ledger.errors import InputError
from ledger.rules.check import PeriodCheck
from ledger.rules.document import RulesDocument, load_rules, validate_rules
from ledger.rules.leaf import Leaf

if TYPE_CHECKING:
    from ledger.chain.client import LedgerClient

FAILED = 1


def open_client(rpc: str | None, contract: str | None) -> LedgerClient:
    """The ledger at `contract` on the node at `rpc`, else the settings' (deployments file)."""
    from ledger.chain.client import LedgerClient, connect
    from ledger.cli.context import open_ledger

    cfg = settings()
    if contract is None:
        return open_ledger(cfg.model_copy(update={"rpc_url": rpc}) if rpc else cfg)
    client = LedgerClient(connect(rpc or cfg.effective_rpc_url, timeout=cfg.tx_timeout), contract)
    client.check_code()
    return client


class PlayerProof(NamedTuple):
    leaf: Leaf
    proof: list[bytes]
    rules: RulesDocument


def load_player_proof(player: bytes, proof_file: Path, rules_file: Path | None) -> PlayerProof:
    """The file `ledger period proof` writes, read and checked before any node is asked."""
    from ledger.rules.leaf import leaf_from_json

    data = _read_json(proof_file)
    leaf = leaf_from_json(data.get("leaf"))
    if leaf.player != player:
        raise InputError(
            f"the leaf in {proof_file} is for player 0x{leaf.player.hex()}, not 0x{player.hex()}"
        )
    rules = load_rules(rules_file) if rules_file else validate_rules(data.get("rules"), str(proof_file))
    try:
        proof = [bytes.fromhex(node[2:]) for node in data["proof"]]
    except (KeyError, TypeError, ValueError) as exc:
        raise InputError(f"{proof_file}: the proof is malformed: {exc}") from exc
    return PlayerProof(leaf, proof, rules)


def recompute_player(given: PlayerProof, client: LedgerClient) -> None:
    """The player's check of one period against the chain."""
    from ledger.rules.check import check_leaf
    from ledger.rules.onchain import period_rows, read_commitment

    leaf, proof, rules = given
    label = _label(leaf.period)
    commitment = read_commitment(client, leaf.period)
    check = check_leaf(label, leaf, proof, rules, commitment, period_rows(client, leaf.period))
    if check.ok:
        out.print(f"VERIFIED: period {label}: reward {check.computed} recomputed from your leaf under rules {rules.hash_hex}; the leaf is in the committed root and the ledger paid {check.paid}", markup=False)  # fmt: skip
        return
    _fail(check)


@clean_errors
def recompute(
    activity: Annotated[Path, typer.Argument(help="the period's full activity CSV, with every salt")],
    period: Annotated[str, typer.Option(help="the period id")],
    rules: Annotated[Path, typer.Option(help="the rules document the period claims to follow")],
    rpc: Annotated[str | None, typer.Option(help="JSON-RPC URL of a node you trust")] = None,
    contract: Annotated[
        str | None, typer.Option(help="the ledger's address; default the deployments file's")
    ] = None,
) -> None:
    """Recompute every leaf, the root and the total of a period and compare them, and every
    player's payment, with the chain: exit 0 PASS, 1 FAIL."""
    from ledger.rules.activity import read_activity
    from ledger.rules.check import audit_period
    from ledger.rules.onchain import period_rows, read_commitment
    from ledger.rules.period import compute_period

    document = load_rules(rules)
    period_id = text_to_bytes(period, what="period id")
    result = compute_period(document, period_id, read_activity(activity, document.data, draw_salts=False))
    client = open_client(rpc, contract)
    check = audit_period(period, result, read_commitment(client, period_id), period_rows(client, period_id))
    if check.ok:
        out.print(f"PASS: period {period}: {len(result.leaves)} leaves, root, rules hash and total {result.total} equal the commitment; every player paid what the rules give", markup=False)  # fmt: skip
        return
    _fail(check, "FAIL")


def _fail(check: PeriodCheck, word: str = "FAILED") -> None:
    for problem in check.problems:
        out.print(f"problem: {problem}", markup=False)
    out.print(f"{word}: period {check.period}: {len(check.problems)} problems", markup=False)
    raise typer.Exit(FAILED)


def _read_json(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise InputError(f"cannot read {path} as JSON: {exc}") from exc
    if not isinstance(data, dict):
        raise InputError(f"{path} does not hold a JSON object")
    return data


def _label(period: bytes) -> str:
    from ledger.encoding import bytes_to_text

    return bytes_to_text(period)
