"""Campaigns over HTTP (admin): created once with their terms kept, closed once; other content
under the same id is refused; relative times are refused (a retry must carry the same content)."""

from __future__ import annotations

from eth_utils.crypto import keccak

from ledger.encoding import text_to_bytes
from ledger.terms import load_terms
from tests.operator.conftest import Operator, player

TERMS = "Spring bonus: 10 points a deposit.\n"


def body(name: str, budget: str = "5000", terms: str = TERMS) -> dict[str, str]:
    return {
        "campaign": name,
        "budget": budget,
        "terms": terms,
        "start": "1700000000",
        "end": "2000-01-01T00:00:00Z",
    }


def window(op: Operator) -> dict[str, str]:
    now = op.ledger.now()
    return {"start": str(now - 60), "end": str(now + 86_400)}


def test_a_campaign_is_created_once_its_rewards_land_and_closing_stops_them(op: Operator) -> None:
    spring = {**body("spring"), **window(op)}
    assert [op.post("campaigns", spring, scope="admin")[0] for _ in range(2)] == [202, 200]
    assert op.post("campaigns", {**spring, "budget": "6000"}, scope="admin")[0] == 409
    assert op.post("campaigns", spring, scope="issuer")[0] == 403
    rows = [{"player": player(), "amount": "10", "reference": "spring-1"}]
    assert op.post("rewards", {"campaign": "spring", "rows": rows})[0] == 202
    op.send_all()
    state = op.ledger.client.campaign(text_to_bytes("spring"))
    assert (state.budget, state.issued, state.terms_hash) == (5000, 10, keccak(TERMS.encode()))
    assert load_terms(op.settings.terms_dir, keccak(TERMS.encode())) == TERMS.encode()
    created = op.api.get("/v1/operator/campaigns/spring", headers=op.auth("auditor")).json()
    assert (
        created["status"] in ("mined", "final")
        and created["terms_hash"] == "0x" + keccak(TERMS.encode()).hex()
    )
    assert op.api.post("/v1/operator/campaigns/spring/close", headers=op.auth("admin")).status_code == 202
    op.send_all()
    assert op.ledger.client.campaign(text_to_bytes("spring")).closed
    closed = op.api.get("/v1/operator/campaigns/spring/close", headers=op.auth("admin")).json()
    assert closed["status"] in ("mined", "final")


def test_a_campaign_that_exists_with_other_content_or_closing_an_unknown_one_fails(op: Operator) -> None:
    assert op.post("campaigns", {**body("welcome"), **window(op)}, scope="admin")[0] == 202
    assert op.api.post("/v1/operator/campaigns/nowhere/close", headers=op.auth("admin")).status_code == 202
    op.send_all()
    failed = op.api.get("/v1/operator/campaigns/welcome", headers=op.auth("admin")).json()
    assert failed["status"] == "failed" and "exists with another budget" in failed["failure"]
    unknown = op.api.get("/v1/operator/campaigns/nowhere/close", headers=op.auth("admin")).json()
    assert unknown["status"] == "failed" and "does not exist" in unknown["failure"]


def test_bad_campaigns_are_422_naming_the_field(op: Operator) -> None:
    cases = [
        ({**body("x"), "start": "now"}, "start: time 'now' is relative"),
        ({**body("x"), "end": "+30d"}, "end: time '+30d' is relative"),
        ({**body("x"), "end": "1600000000"}, "end: the campaign must end after it starts"),
        ({**body("x"), "budget": "-5"}, "budget: amount"),
        ({**body("x"), "terms": " "}, "terms: give the terms text"),
        ({**body("x" * 33)}, "campaign: campaign id"),
        ({**body("x"), "start": "2026-01-01T00:00:00"}, "start: time"),
    ]
    for case, message in cases:
        code, answer = op.post("campaigns", case, scope="admin")
        assert (code, answer["error"]) == (422, "invalid_parameter"), answer
        assert message in " ".join(answer.get("details", [])), (message, answer)
