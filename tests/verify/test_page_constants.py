"""What the page's verifier knows of the ledger (api/web/static/ledger.js and verify-player.js)
is what the compiled artifact and the Python entry model say: a contract change that moves the
runtime code or the players' slot, or a new entry kind, shows up here first."""

from __future__ import annotations

from typing import Any

import pytest

from ledger.artifact import load_artifact
from ledger.events import event_topic
from ledger.model import RULES
from ledger.verify.report import DEFAULT_MAX_LAG
from ledger.verify.views import ledger_code_hash
from tests.verify.node import run_js

CONSTANTS = """
const l = m["ledger.js"];
return { code: l.CODE_HASH, slot: l.PLAYERS_SLOT, rules: l.KIND_RULES, codes: l.KIND_CODES,
         playerTopic: l.PLAYER_TOPIC, topics: l.TOPICS, maxLag: m["verify.js"].MAX_LAG };
"""


@pytest.fixture(scope="module")
def found() -> dict[str, Any]:
    constants = run_js(CONSTANTS)
    assert isinstance(constants, dict)
    return constants


def test_the_pages_code_hash_and_players_slot_are_the_committed_artifacts(found: dict[str, Any]) -> None:
    assert found["code"] == "0x" + ledger_code_hash().hex(), (
        "api/web/static/ledger.js CODE_HASH must be keccak256 of the artifact's deployedBytecode"
    )
    assert found["slot"] == str(load_artifact().players_slot), "ledger.js PLAYERS_SLOT is stale"


def test_the_pages_entry_kinds_move_figures_as_the_entry_model_says(found: dict[str, Any]) -> None:
    assert found["rules"] == {
        rule.name: {"credit": rule.credit, "figure": rule.player_figure} for rule in RULES.values()
    }
    assert found["codes"] == {rule.name: int(kind) for kind, rule in RULES.items()}


def test_the_page_finds_the_player_in_the_topics_the_abi_indexes(found: dict[str, Any]) -> None:
    events = {item["name"]: item for item in load_artifact().abi if item["type"] == "event"}
    expected: dict[str, int | None] = {}
    for rule in RULES.values():
        for name in filter(None, (rule.event, rule.batch_event)):
            indexed = [i["name"] for i in events[name]["inputs"] if i["indexed"]]
            expected[name] = indexed.index("player") + 1 if "player" in indexed else None
    assert found["playerTopic"] == expected
    assert found["topics"] == {name: "0x" + event_topic(name).hex() for name in expected}


def test_the_page_allows_the_same_lag_as_ledger_verify_by_default(found: dict[str, Any]) -> None:
    assert found["maxLag"] == DEFAULT_MAX_LAG
