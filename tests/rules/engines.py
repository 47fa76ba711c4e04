"""Both reward engines on the same inputs: the Python one in-process, the page's under Node."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

from ledger.rules.document import validate_rules
from ledger.rules.engine import Activity, compute
from ledger.rules.leaf import FIGURES

HERE = Path(__file__).resolve().parent
VECTORS = HERE / "vectors.json"
RUNNER = HERE / "run_engine.mjs"


def load_vectors() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(VECTORS.read_text())
    return loaded


def activity_of(raw: dict[str, Any]) -> Activity:
    figures = {name: int(raw.get(name, "0")) for name in FIGURES}
    return Activity(**figures, wagers=tuple(int(w) for w in raw["wagers"]))


def in_python(document: dict[str, Any], raw: dict[str, Any]) -> dict[str, Any]:
    reward = compute(validate_rules(document).data, activity_of(raw))
    return {"total": str(reward.total), "parts": {p.rule: str(p.amount) for p in reward.parts}}


def in_node(rules: dict[str, Any], cases: list[dict[str, Any]]) -> dict[str, Any]:
    node = shutil.which("node")
    assert node, "the page's engine runs under Node.js in these tests"
    done = subprocess.run(
        [node, str(RUNNER)],
        input=json.dumps({"rules": rules, "cases": cases}),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    result: dict[str, Any] = json.loads(done.stdout)
    return result
