"""Bad input to the operator routes: every case a 4xx JSON naming the field (and row), never a 500,
and nothing stored."""

from __future__ import annotations

import pytest

from tests.operator.conftest import Operator, player

KEY = "0x" + "ab" * 32
ROW = {"player": KEY, "amount": "10", "reference": "ok-1"}

REWARDS = [
    ({"campaign": "welcome", "rows": []}, "rows: give 1 to"),
    ({"campaign": "welcome", "rows": [{**ROW, "player": "0x12"}]}, "rows[0]: player key"),
    (
        {"campaign": "welcome", "rows": [ROW, {**ROW, "player": "0x" + "00" * 32, "reference": "b"}]},
        "rows[1]: player key is zero",
    ),
    ({"campaign": "welcome", "rows": [{**ROW, "amount": "-1"}]}, "rows[0]: amount '-1'"),
    ({"campaign": "welcome", "rows": [{**ROW, "amount": "1.5"}]}, "rows[0]: amount"),
    ({"campaign": "welcome", "rows": [{**ROW, "amount": "0"}]}, "rows[0]: amount must be positive"),
    ({"campaign": "welcome", "rows": [{**ROW, "amount": str(2**96)}]}, "rows[0]: amount"),
    ({"campaign": "welcome", "rows": [{**ROW, "amount": "9" * 150}]}, "rows[0]: amount"),
    ({"campaign": "welcome", "rows": [{**ROW, "reference": "x" * 21}]}, "rows[0]: reference"),
    ({"campaign": "welcome", "rows": [{**ROW, "reference": ""}]}, "rows[0]: reference is empty"),
    ({"campaign": "welcome", "rows": [{**ROW, "reference": "a\u2028b"}]}, "rows[0]: reference"),
    ({"campaign": "welcome", "rows": [ROW, ROW]}, "rows[1].reference: 'ok-1' repeats rows[0]"),
    ({"campaign": "c" * 33, "rows": [ROW]}, "campaign: campaign id"),
    ({"campaign": "welcome", "rows": [{**ROW, "amount": 10}]}, "amount"),
    ({"campaign": "welcome", "rows": [{**ROW, "extra": "1"}]}, "extra"),
    ({"campaign": "welcome"}, "rows"),
    ({"campaign": "welcome", "rows": [ROW] * 5001}, "rows"),
    ({"campaign": "welcome", "rows": "nope"}, "rows"),
    ([1, 2], "body"),
]


@pytest.mark.parametrize(("body", "names"), REWARDS, ids=[f"rewards-{i}" for i in range(len(REWARDS))])
def test_a_bad_reward_request_is_a_422_naming_the_field_and_row(
    shared_op: Operator, body: object, names: str
) -> None:
    code, answer = shared_op.post("rewards", body)
    assert (code, answer["error"]) == (422, "invalid_parameter"), answer
    assert names in answer["message"] + " ".join(answer.get("details", [])), answer
    assert shared_op.api.get("/v1/operator/rewards/ok-1", headers=shared_op.auth("issuer")).status_code == 404


DEBITS = [
    ("payouts", {"player": KEY, "amount": "1", "reference": "r" * 33}, "reference: reference"),
    ("payouts", {"player": KEY, "amount": str(2**128), "reference": "p"}, "amount: amount"),
    ("payouts", {"player": "abc", "amount": "1", "reference": "p"}, "player: player key"),
    ("payouts", {"player": KEY, "amount": "1"}, "reference"),
    ("expiries", {"player": KEY, "amount": "1", "reference": "e"}, "reason"),
    ("expiries", {"player": KEY, "amount": "1", "reference": "e", "reason": "\x00"}, "reason: reason"),
]


@pytest.mark.parametrize(("path", "body", "names"), DEBITS, ids=[f"debit-{i}" for i in range(len(DEBITS))])
def test_a_bad_payout_or_expiry_is_a_422_naming_the_field(
    shared_op: Operator, path: str, body: object, names: str
) -> None:
    code, answer = shared_op.post(path, body, scope="admin")
    assert (code, answer["error"]) == (422, "invalid_parameter"), answer
    assert names in answer["message"] + " ".join(answer.get("details", [])), answer


def test_malformed_bodies_and_references_are_4xx_json(shared_op: Operator) -> None:
    headers = {**shared_op.auth("issuer"), "Content-Type": "application/json"}
    for raw in (b"{", b"\xff\xfe", b"", b"null", b'{"campaign": "welcome", "rows": [' * 200):
        answer = shared_op.api.post("/v1/operator/rewards", content=raw, headers=headers)
        assert 400 <= answer.status_code < 500 and "error" in answer.json(), raw
    for reference in ("x" * 21, "%E2%80%A8", "0x" + "00" * 32, "x" * 300):
        answer = shared_op.api.get(f"/v1/operator/rewards/{reference}", headers=shared_op.auth("issuer"))
        assert 400 <= answer.status_code < 500 and answer.json()["error"], reference
    assert shared_op.api.delete("/v1/operator/rewards", headers=shared_op.auth("issuer")).status_code == 405
    assert (
        shared_op.post("payouts", {"player": player(), "amount": "1", "reference": "fine"}, scope="payer")[0]
        == 202
    )
