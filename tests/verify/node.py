"""Running the page's JavaScript under Node from the Python tests."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

EVALUATE = Path(__file__).resolve().parent / "js" / "evaluate.mjs"


def node_binary() -> str:
    node = shutil.which("node")
    assert node, "the page's code runs under Node.js (20 or later) in these tests"
    return node


def run_js(code: str, data: Any = None) -> Any:
    """The value of `code` (an async function body seeing `input` and `m`, the page's modules)."""
    done = subprocess.run(
        [node_binary(), str(EVALUATE)],
        input=json.dumps({"code": code, "input": data}),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout)
