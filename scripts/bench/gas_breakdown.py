#!/usr/bin/env python3
"""Gas breakdown: where a returning player's batch row and a single issue spend their gas.

Traces the issuance benchmark's transactions opcode by opcode on anvil (`--steps-tracing`) and
splits each receipt's `gasUsed` into the transaction's base cost, its calldata, storage reads and
writes, the event, hashing and everything else. The baseline is the target: the floor printed
beside it is what the row pays for storage, calldata and the log alone, before any code runs.
`--quick` traces a batch of 100 rows instead of 1,000; `--json` ends with one JSON object.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from collections import Counter
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from issuance import fixed_key, free_port, ledger_on, rows_for

from ledger.chain.client import LedgerClient
from ledger.chain.node import LocalNode
from ledger.chain.sender import Sender
from ledger.encoding import pack_rows

BASE_COST = 21_000
CATEGORIES = ("base", "calldata", "storage", "log", "hashing", "copies", "other")
OPCODE_CATEGORY = {
    "SLOAD": "storage", "SSTORE": "storage", "KECCAK256": "hashing",
    "CALLDATACOPY": "copies", "CODECOPY": "copies", "MCOPY": "copies", "RETURNDATACOPY": "copies",
    **{f"LOG{n}": "log" for n in range(5)},
}  # fmt: skip
TARGETS = {"returning_row": 6_000, "single_issue": 60_000}
# What each pays before any of the ledger's code runs (a batch's base cost is shared by its rows).
FLOOR_PARTS = {
    "returning_row": ("storage", "calldata", "log"),
    "single_issue": ("base", "storage", "calldata", "log"),
}


def calldata_gas(data: bytes) -> int:
    """The intrinsic price of a transaction's input: 4 gas a zero byte, 16 a non-zero one."""
    zeros = data.count(0)
    return 4 * zeros + 16 * (len(data) - zeros)


def breakdown(sender: Sender, to: str, data: bytes) -> dict[str, int]:
    """Sends `data` and splits the receipt's gas by category; the parts add up to `gasUsed`."""
    receipt = sender.transact(to, data)
    options = {"disableStack": True, "disableMemory": True, "disableStorage": True}
    reply: Any = sender.w3.provider.make_request(
        "debug_traceTransaction",  # type: ignore[arg-type]
        ["0x" + receipt.tx_hash.hex(), options],
    )
    if "error" in reply:
        raise SystemExit(f"debug_traceTransaction failed: {reply['error']}")
    parts: Counter[str] = Counter({"base": BASE_COST, "calldata": calldata_gas(data)})
    for step in reply["result"]["structLogs"]:
        parts[OPCODE_CATEGORY.get(step["op"], "other")] += int(step["gasCost"])
    if sum(parts.values()) != receipt.gas_used:
        raise SystemExit(f"the trace accounts for {sum(parts.values()):,} gas of {receipt.gas_used:,}")
    parts["total"] = receipt.gas_used
    return dict(parts)


def per(parts: dict[str, int], count: int) -> dict[str, float]:
    return {key: value / count for key, value in parts.items()}


def measure(client: LedgerClient, sender: Sender, campaign: bytes, rows: int) -> dict[str, dict[str, float]]:
    players = [fixed_key() for _ in range(rows)]
    records = pack_rows(rows_for(players))
    sender.transact(client.address, client.encode("issueBatch", fixed_key(), campaign, records))
    returning = breakdown(sender, client.address, client.encode("issueBatch", fixed_key(), campaign, records))
    player = players[0]  # a returning player, as in the issuance benchmark's single issue
    single = breakdown(sender, client.address, client.encode("issue", campaign, player, 250, fixed_key()))
    return {"returning_row": per(returning, rows), "single_issue": per(single, 1)}


def report(figures: dict[str, dict[str, float]], rows: int) -> None:
    titles = {
        "returning_row": f"a returning player's row in a batch of {rows:,} (gas per row)",
        "single_issue": "a single issue to a returning player (gas)",
    }
    for name, parts in figures.items():
        print(titles[name])
        for key in CATEGORIES:
            print(f"  {key:<10} {parts.get(key, 0):>10,.0f}")
        print(f"  {'total':<10} {parts['total']:>10,.0f}")
        floor = sum(parts[key] for key in FLOOR_PARTS[name])
        what = " + ".join(FLOOR_PARTS[name])
        print(f"  {what:<34} {floor:>10,.0f}   target {TARGETS[name]:,}: {floor / TARGETS[name]:.2f}x")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="trace a batch of 100 rows instead of 1,000")
    parser.add_argument("--json", action="store_true", help="end with the figures as one JSON object")
    args = parser.parse_args()
    rows = 100 if args.quick else 1_000
    with tempfile.TemporaryDirectory() as tmp:
        node = LocalNode(
            Path(tmp) / "trace", port=free_port(), persist=False, gas_limit=60_000_000, steps_tracing=True
        )
        with ledger_on(node) as (client, sender, campaign):
            figures = measure(client, sender, campaign, rows)
    report(figures, rows)
    if args.json:
        flat = {
            f"{name}_{key}": round(value, 2)
            for name, parts in figures.items()
            for key, value in parts.items()
        }
        print(json.dumps({"batch_rows": rows, **flat}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
