"""Hypothesis-generated rules and activity: the Python and the page's engines agree on every
reward, every rule's part and every document's hash (RFC 8785 on both sides)."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ledger.rules.document import validate_rules
from tests.rules.engines import in_node, in_python

NAMES = ["slots", "live", "sports", "table", "poker"]
EVENTS = ["first_deposit", "kyc", "birthday"]
amounts = st.integers(0, 10**28 - 1).map(str)
small = st.integers(0, 10**7).map(str)
bp = st.integers(0, 1_000_000)


@st.composite
def rule(draw: st.DrawFn, index: int, categories: list[str], events: list[str]) -> dict[str, Any]:
    kinds = ["deposit_match", "cashback", "points", "prize_table", "wagering_release"]
    kind = draw(st.sampled_from([*kinds, "fixed_bonus"] if events else kinds))
    r: dict[str, Any] = {"kind": kind, "id": f"r{index}"}
    if kind == "fixed_bonus":
        r |= {"event": draw(st.sampled_from(events)), "amount": draw(small), "min_first_deposit": draw(small)}
    elif kind == "deposit_match":
        r |= {"percent_bp": draw(bp), "cap": draw(amounts)}
    elif kind == "cashback":
        low = draw(st.integers(0, 10**6))
        r |= {"percent_bp": draw(bp), "min": str(low), "cap": str(low + draw(st.integers(0, 10**9)))}
    elif kind == "points":
        weights = draw(st.dictionaries(st.sampled_from(categories), bp)) if categories else {}
        r |= {"per": str(draw(st.integers(1, 10**6))), "points": draw(small), "weights_bp": weights}
    elif kind == "prize_table":
        r |= {"prizes": draw(st.lists(small, min_size=1, max_size=5))}
    else:
        r |= {"bonus": draw(small), "multiple": draw(st.integers(1, 1000))}
    return r


@st.composite
def case(draw: st.DrawFn, index: int) -> tuple[dict[str, Any], dict[str, Any]]:
    categories = draw(st.lists(st.sampled_from(NAMES), unique=True, max_size=4))
    events = draw(st.lists(st.sampled_from(EVENTS), unique=True, max_size=3))
    tiers = [{"name": f"t{i}", "multiplier_bp": draw(bp)} for i in range(draw(st.integers(0, 3)))]
    count = draw(st.integers(1, 4))
    doc: dict[str, Any] = {
        "format": "rewards-ledger/rules@1",
        "title": draw(st.text(max_size=12)),
        "categories": categories,
        "events": events,
        "rules": [draw(rule(i, categories, events)) for i in range(count)],
    }
    if tiers:
        doc["tiers"] = tiers
    figure = st.one_of(st.integers(0, 10**4), st.integers(0, 10**27)).map(str)
    activity = {
        "deposits": draw(figure), "first_deposit": draw(figure), "wins": draw(figure),
        "carried_wager": draw(figure), "tier": str(draw(st.integers(0, len(tiers)))),
        "rank": str(draw(st.integers(0, 6))), "events": str(draw(st.integers(0, 2 ** len(events) - 1))),
        "wagers": [draw(figure) for _ in categories],
    }  # fmt: skip
    return doc, activity


@pytest.mark.slow
@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large]
)
@given(st.data())
def test_python_and_javascript_engines_agree_on_generated_rules_and_activity(data: st.DataObject) -> None:
    drawn = [data.draw(case(i)) for i in range(25)]
    rules = {f"d{i}": {"document": doc} for i, (doc, _) in enumerate(drawn)}
    cases = [{"name": f"c{i}", "rules": f"d{i}", "activity": act} for i, (_, act) in enumerate(drawn)]
    node = in_node(rules, cases)
    for i, (doc, activity) in enumerate(drawn):
        expected = in_python(doc, activity)
        got = node["results"][i]
        assert got.get("total") == expected["total"] and got.get("parts") == expected["parts"], (
            doc,
            activity,
            got,
        )
        assert node["hashes"][f"d{i}"] == validate_rules(doc).hash_hex, doc
