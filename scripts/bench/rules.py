#!/usr/bin/env python3
"""Rules benchmark: one period end to end, the commitment's gas, a player's recompute.

`period_1m_s` (wall clock; `period_1m_cpu_s` the process's CPU time): a period of 1,000,000 players (100,000 with `--quick`, scaled to a million): the
activity CSV read and checked, every reward computed, every salted leaf hashed, the
StandardMerkleTree built and the root committed on anvil; the reward batches are not counted
(`period_write_s` is the time to write the period's files, apart). Baseline in the same run: the
same leaves encoded through eth_abi and hashed with eth_hash (pycryptodome), the straightforward
way, on a tenth of the players. `commit_gas`: the commitment transaction. `period_batch_gas_ratio`:
gas per reward of a 100-row period batch over a plain batch of the same rows (target <= 1.05).
`recompute_ms`: a player's check in Python (rules validated and hashed, reward recomputed, leaf
hashed, proof of the full-size tree checked); `recompute_js_ms`: the same in the page's rules.js
under Node. `--json` ends with one JSON object.
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from eth_abi.abi import encode
from eth_hash.backends.pycryptodome import CryptodomeBackend

from ledger.chain.node import LocalNode
from ledger.encoding import pack_rows
from ledger.rules import onchain
from ledger.rules.activity import PlayerActivity, read_activity, write_activity
from ledger.rules.check import check_leaf
from ledger.rules.document import parse_rules, validate_rules
from ledger.rules.engine import Activity
from ledger.rules.leaf import LEAF_TYPES, leaf_from_json
from ledger.rules.period import compute_period, write_outputs
from scripts.bench.issuance import fixed_key, free_port, ledger_on, rows_for

RULES: dict[str, Any] = {
    "format": "rewards-ledger/rules@1",
    "title": "Benchmark: weekly cashback, points and a released bonus, with tiers",
    "categories": ["slots", "live", "sports"],
    "events": ["first_deposit"],
    "tiers": [{"name": "silver", "multiplier_bp": 11000}, {"name": "gold", "multiplier_bp": 12500}],
    "rules": [
        {"kind": "cashback", "id": "cashback", "percent_bp": 1000, "min": "100", "cap": "500000"},
        {"kind": "points", "id": "points", "per": "100", "points": "1", "weights_bp": {"slots": 10000, "live": 5000}},
        {"kind": "fixed_bonus", "id": "welcome", "event": "first_deposit", "amount": "1000", "min_first_deposit": "2000"},
        {"kind": "wagering_release", "id": "release", "bonus": "1000", "multiple": 30},
    ],
}  # fmt: skip
PERIOD = b"bench-week".ljust(32, b"\x00")
TARGETS = {"period_1m_s": 30.0, "commit_gas": 80_000, "recompute_ms": 50.0, "period_batch_gas_ratio": 1.05}
RUNNER = Path(__file__).resolve().parents[2] / "tests" / "rules" / "run_engine.mjs"


def players(count: int) -> list[PlayerActivity]:
    rnd = random.Random(13)
    out = []
    for _ in range(count):
        wagers = (rnd.randrange(10**6), rnd.randrange(10**5), rnd.randrange(10**5))
        activity = Activity(
            rnd.randrange(10**6), rnd.randrange(5000), rnd.randrange(10**6), rnd.randrange(40_000),
            rnd.randrange(3), 0, rnd.randrange(2), wagers,
        )  # fmt: skip
        out.append(PlayerActivity(rnd.randbytes(32), activity, rnd.randbytes(32)))
    return out


def baseline_seconds(rows: list[PlayerActivity], rewards: list[int]) -> float:
    """Leaves through eth_abi.encode and pycryptodome's keccak, as a first version would."""
    keccak = CryptodomeBackend().keccak256
    started = time.perf_counter()
    for row, reward in zip(rows, rewards, strict=True):
        a = row.activity
        figures = [a.deposits, a.first_deposit, a.wins, a.carried_wager, a.tier, a.rank, a.events, *a.wagers]
        keccak(keccak(encode(LEAF_TYPES, [row.player, PERIOD, figures, reward, row.salt])))
    return time.perf_counter() - started


def js_recompute_ms(answer: dict[str, Any]) -> float | None:
    node = shutil.which("node")
    if node is None:
        return None
    case = {
        "name": "p",
        "rules": "r",
        "leaf": answer["leaf"],
        "proof": answer["proof"],
        "root": answer["root"],
    }
    payload = json.dumps({"rules": {"r": {"document": RULES}}, "cases": [case] * 50})
    started = time.perf_counter()
    done = subprocess.run([node, str(RUNNER)], input=payload, capture_output=True, text=True, check=True)
    elapsed = time.perf_counter() - started
    assert all(r["ok"] for r in json.loads(done.stdout)["results"])
    return elapsed * 1000 / 50  # per check, Node's start-up spread over the 50


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="100,000 players, scaled to a million")
    parser.add_argument("--json", action="store_true", help="end with the figures as one JSON object")
    args = parser.parse_args()
    count = 100_000 if args.quick else 1_000_000
    figures: dict[str, Any] = {"players_timed": count}
    rules = validate_rules(RULES)
    with (
        tempfile.TemporaryDirectory() as tmp,
        ledger_on(LocalNode(Path(tmp) / "node", port=free_port(), persist=False, gas_limit=60_000_000)) as (
            client,
            sender,
            campaign,
        ),
    ):
        onchain.set_rules(client, sender, campaign, rules.hash, 0)
        source = players(count)
        csv_path = Path(tmp) / "activity.csv"
        write_activity(csv_path, source, rules.data)
        started, cpu = time.perf_counter(), time.process_time()
        rows = read_activity(csv_path, rules.data, draw_salts=False)
        result = compute_period(rules, PERIOD, rows)
        receipt = onchain.commit_period(
            client, sender, PERIOD, campaign, rules.hash, result.root, len(result.leaves), result.total
        )
        elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
        figures["period_1m_s"] = elapsed * 1_000_000 / count
        figures["period_1m_cpu_s"] = cpu * 1_000_000 / count
        figures["commit_gas"] = receipt.gas_used
        started = time.perf_counter()
        write_outputs(result, rows, "bench", Path(tmp) / "out")
        figures["period_write_s"] = (time.perf_counter() - started) * 1_000_000 / count
        tenth = count // 10
        base = baseline_seconds(rows[:tenth], [leaf.reward for leaf in result.leaves[:tenth]])
        figures["baseline_leaves_1m_s"] = base * 1_000_000 / tenth
        figures["speedup_vs_baseline_leaves"] = figures["baseline_leaves_1m_s"] / figures["period_1m_s"]
        figures.update(recompute(result, rules.canonical.decode(), client))
        figures.update(batch_gas(client, sender, campaign))
    report(figures)
    if args.json:
        print(json.dumps({k: round(v, 3) if isinstance(v, float) else v for k, v in figures.items()}))
    return 0


def batch_gas(client: Any, sender: Any, campaign: bytes) -> dict[str, Any]:
    """Gas of a 100-row batch of first-time players, plain and as a period batch (the period's
    first, whose `issued` goes from zero, as most periods' single batch does)."""
    plain_rows, period_rows = (
        rows_for([fixed_key() for _ in range(100)]),
        rows_for([fixed_key() for _ in range(100)]),
    )
    # a first batch sets the campaign's and the ledger's issued totals from zero: not measured
    sender.transact(client.address, client.encode("issueBatch", fixed_key(), campaign, pack_rows(rows_for([fixed_key()]))))  # fmt: skip
    plain = sender.transact(
        client.address, client.encode("issueBatch", fixed_key(), campaign, pack_rows(plain_rows))
    )
    period = sender.transact(
        client.address, client.encode("issuePeriodBatch", fixed_key(), PERIOD, pack_rows(period_rows))
    )
    return {
        "batch_gas_per_reward": plain.gas_used / 100,
        "period_batch_gas_per_reward": period.gas_used / 100,
        "period_batch_gas_ratio": period.gas_used / plain.gas_used,
    }


def recompute(result: Any, rules_text: str, client: Any) -> dict[str, Any]:
    answer = result.proof_of(result.leaves[len(result.leaves) // 2].player)
    commitment = onchain.read_commitment(client, PERIOD)
    rounds = 200
    started = time.perf_counter()
    for _ in range(rounds):
        leaf = leaf_from_json(answer["leaf"])
        proof = [bytes.fromhex(node[2:]) for node in answer["proof"]]
        check = check_leaf("bench", leaf, proof, parse_rules(rules_text), commitment, [])
        assert check.computed == leaf.reward and not any("root" in p for p in check.problems)
    figures: dict[str, Any] = {"recompute_ms": (time.perf_counter() - started) * 1000 / rounds}
    figures["proof_depth"] = len(answer["proof"])
    figures["recompute_js_ms"] = js_recompute_ms(answer)
    return figures


def report(f: dict[str, Any]) -> None:
    print(f"one period, {f['players_timed']:,} players timed, scaled to 1,000,000")
    print(f"  {'read, compute, tree, commit':<40} {f['period_1m_s']:>9.1f} s    target <= 30 s")
    print(f"  {'  of which this process on a core (CPU)':<40} {f['period_1m_cpu_s']:>9.1f} s")
    print(f"  {'writing the period files (apart)':<40} {f['period_write_s']:>9.1f} s")
    print(f"  {'baseline: leaves via eth_abi+pycryptodome':<40} {f['baseline_leaves_1m_s']:>9.1f} s")
    print(f"  {'ratio baseline leaves / whole period':<40} {f['speedup_vs_baseline_leaves']:>9.2f}x")
    print(f"  {'commitment gas':<40} {f['commit_gas']:>9,}      target <= 80,000")
    print(
        f"  {'period batch / plain batch, per reward':<40} {f['period_batch_gas_ratio']:>9.3f}      target <= 1.05"
    )
    print(f"  {'player recompute, Python (proof depth ' + str(f['proof_depth']) + ')':<40} {f['recompute_ms']:>9.2f} ms   target <= 50 ms")  # fmt: skip
    if f["recompute_js_ms"] is not None:
        print(
            f"  {'player recompute, rules.js under Node':<40} {f['recompute_js_ms']:>9.2f} ms   target <= 200 ms"
        )
    for key, target in TARGETS.items():
        print(f"  {key:<40} {'met' if f[key] <= target else 'MISSED'}")


if __name__ == "__main__":
    sys.exit(main())
