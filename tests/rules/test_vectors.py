"""One file of vectors judges both engines: every expected reward was worked by hand."""

from __future__ import annotations

from typing import Any

import pytest

from ledger.rules.document import RulesError, parse_rules, validate_rules
from tests.rules.engines import in_node, in_python, load_vectors

VECTORS = load_vectors()


@pytest.fixture(scope="module")
def node_results() -> dict[str, Any]:
    return in_node(VECTORS["rules"], VECTORS["vectors"])


@pytest.mark.parametrize("vector", VECTORS["vectors"], ids=lambda v: v["name"])
def test_the_python_engine_gives_each_vectors_expected_reward(vector: dict[str, Any]) -> None:
    got = in_python(VECTORS["rules"][vector["rules"]]["document"], vector["activity"])
    assert got["total"] == vector["expected"]["total"], vector["why"]
    for rule, amount in vector["expected"].get("parts", {}).items():
        assert got["parts"][rule] == amount, f"{vector['name']}: rule {rule}"


def test_the_page_engine_gives_every_vectors_expected_reward(node_results: dict[str, Any]) -> None:
    by_name = {r["name"]: r for r in node_results["results"]}
    wrong = []
    for vector in VECTORS["vectors"]:
        got = by_name[vector["name"]]
        if got.get("total") != vector["expected"]["total"]:
            wrong.append(f"{vector['name']}: {got} != {vector['expected']['total']}")
        for rule, amount in vector["expected"].get("parts", {}).items():
            if got.get("parts", {}).get(rule) != amount:
                wrong.append(f"{vector['name']}: rule {rule}")
    assert not wrong and len(by_name) == len(VECTORS["vectors"]) >= 30


def test_both_engines_hash_each_rules_document_to_the_published_hash(node_results: dict[str, Any]) -> None:
    for name, entry in VECTORS["rules"].items():
        assert validate_rules(entry["document"]).hash_hex == entry["hash"], name
        assert node_results["hashes"][name] == entry["hash"], name


@pytest.mark.parametrize("case", VECTORS["invalid"], ids=lambda c: c["name"])
def test_a_broken_rules_document_is_refused_with_a_one_line_reason(case: dict[str, Any]) -> None:
    with pytest.raises(RulesError) as info:
        parse_rules(case["text"])
    message = str(info.value)
    assert case["error"] in message and "\n" not in message
