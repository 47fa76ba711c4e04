"""One list of checks, two verifiers, one set of cases: `ledger verify` (Python) and the page's
verifier (api/web/static, run under Node) judge the same honest and tampered API answers about a
real ledger on anvil, and must both reach each case's expected verdict, problem categories and
entries newer than the API.

The cases are written to test-artifacts/verify/cases.json (the shared file both verifiers read),
with a table of both verdicts (cases.md) and every problem each verifier named (results.json).
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from ledger.chain.node import LocalNode
from ledger.errors import ApiError
from ledger.verify import DEFAULT_MAX_LAG, LedgerApi, Rpc, verify_player
from ledger.verify.report import CATEGORIES
from tests.conftest import free_port
from tests.verify.cases import all_cases, write_cases
from tests.verify.caseworld import build_case_world
from tests.verify.lying_api import lying_api
from tests.verify.node import node_binary
from tests.verify.server import serving

ROOT = Path(__file__).resolve().parents[2]
RUNNER = Path(__file__).resolve().parent / "js" / "run_cases.mjs"
ARTIFACTS = ROOT / "test-artifacts" / "verify"
Result = dict[str, Any]


@pytest.fixture(scope="module")
def case_node(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalNode]:
    """An anvil of these cases' own: they reorganise its chain and judge at fixed blocks."""
    node = LocalNode(
        tmp_path_factory.mktemp("case-anvil"), port=free_port(), persist=False, gas_limit=100_000_000
    )
    node.start()
    yield node
    node.stop()


@pytest.fixture(scope="module")
def judged(case_node: LocalNode, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """Every case, as written to the shared file, with the Python and the JS judgement of each."""
    world = build_case_world(case_node, tmp_path_factory.mktemp("case-world"))
    path = ARTIFACTS / "cases.json"
    write_cases(all_cases(world), path, case_node.url)
    cases = json.loads(path.read_text())["cases"]
    with serving(lying_api({c["name"]: c for c in cases})) as base:
        python = {c["name"]: judge_in_python(c, base, case_node.url) for c in cases}
        js = {r["name"]: r for r in judge_in_node(path, base)}
    (ARTIFACTS / "cases.md").write_text(table(cases, python, js))
    (ARTIFACTS / "results.json").write_text(json.dumps({"python": python, "js": js}, indent=1))
    return {"cases": cases, "python": python, "js": js}


def judge_in_python(case: dict[str, Any], base: str, rpc_url: str) -> Result:
    api, rpc = LedgerApi(f"{base}/{case['name']}"), Rpc(rpc_url)
    max_lag = DEFAULT_MAX_LAG if case["max_lag"] is None else case["max_lag"]
    try:
        report = verify_player(
            api, rpc, bytes.fromhex(case["player"][2:]), case["contract"], case["at"], max_lag
        )
    except ApiError as exc:
        return {"verdict": "error", "categories": [], "newer": [], "problems": [str(exc)], "notes": []}
    finally:
        api.close()
        rpc.close()
    return {
        "verdict": "verified" if report.ok else "failed", "categories": sorted(report.categories),
        "newer": [n.seq for n in report.newer], "lag": report.lag, "block": report.block,
        "problems": [str(p) for p in report.problems], "notes": report.notes,
        "found": sorted([p.category, p.seq or 0] for p in report.problems),
    }  # fmt: skip


def judge_in_node(path: Path, base: str) -> list[Result]:
    command = [node_binary(), str(RUNNER), str(path), base]
    done = subprocess.run(command, capture_output=True, text=True, timeout=600, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    return list(json.loads(done.stdout))


def table(cases: list[dict[str, Any]], python: dict[str, Result], js: dict[str, Result]) -> str:
    def cell(r: Result) -> str:
        newer = f"; newer {', '.join(map(str, r['newer']))}" if r["newer"] else ""
        return f"{r['verdict']} ({', '.join(r['categories']) or '-'}{newer})"

    lines = ["| case | the API's answer | expected | `ledger verify` | the page |", "|---|---|---|---|---|"]
    for c in cases:
        expected = cell({"verdict": c["expect"], "categories": sorted(c["categories"]), "newer": c["newer"]})
        lines.append(
            f"| {c['name']} | {c['about']} | {expected} | {cell(python[c['name']])} | {cell(js[c['name']])} |"
        )
    return "\n".join(lines) + "\n"


def expected(case: dict[str, Any]) -> tuple[str, list[str], list[int]]:
    return case["expect"], sorted(case["categories"]), case["newer"]


def outcome(result: Result) -> tuple[str, list[str], list[int]]:
    return result["verdict"], result["categories"], result["newer"]


@pytest.mark.slow
def test_ledger_verify_reaches_each_cases_expected_verdict(judged: dict[str, Any]) -> None:
    wrong = {
        c["name"]: (outcome(judged["python"][c["name"]]), judged["python"][c["name"]]["problems"])
        for c in judged["cases"]
        if outcome(judged["python"][c["name"]]) != expected(c)
    }
    assert wrong == {}


@pytest.mark.slow
def test_the_pages_verifier_reaches_each_cases_expected_verdict(judged: dict[str, Any]) -> None:
    wrong = {
        c["name"]: (outcome(judged["js"][c["name"]]), judged["js"][c["name"]]["problems"])
        for c in judged["cases"]
        if outcome(judged["js"][c["name"]]) != expected(c)
    }
    assert wrong == {}


@pytest.mark.slow
def test_both_verifiers_agree_on_every_case_and_judge_the_same_blocks(judged: dict[str, Any]) -> None:
    for case in judged["cases"]:
        python, js = judged["python"][case["name"]], judged["js"][case["name"]]
        assert outcome(python) == outcome(js), case["name"]
        if python["verdict"] != "error":
            assert (python["block"], python["lag"]) == (js["block"], js["lag"]), case["name"]
            # the same problems: one for one, by check and by entry
            assert python["found"] == js["found"], (case["name"], python["problems"], js["problems"])
            assert len(python["notes"]) == len(js["notes"]), case["name"]


@pytest.mark.slow
def test_the_cases_exercise_every_check_and_every_verdict(judged: dict[str, Any]) -> None:
    cases = judged["cases"]
    assert {category for c in cases for category in c["categories"]} == set(CATEGORIES)
    assert {c["expect"] for c in cases} == {"verified", "failed", "error"}
    assert any(c["newer"] for c in cases if c["about"].startswith("leaves the newest entry out"))
