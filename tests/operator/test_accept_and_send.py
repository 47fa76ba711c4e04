"""Durable acceptance and the sender: a write is stored once per reference, repeats answer the
original, other content is a 409 naming what holds the reference (in the outbox or on chain),
and the sender lands each accepted reward once, in batches, through to `final`."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from ledger.encoding import text_to_bytes
from tests.operator.conftest import Operator, player

CID = text_to_bytes("welcome")


def rows(count: int, prefix: str, amount: str = "7") -> list[dict[str, str]]:
    return [{"player": player(), "amount": amount, "reference": f"{prefix}-{i}"} for i in range(count)]


def status(op: Operator, kind: str, reference: str) -> dict:  # type: ignore[type-arg]
    answer = op.api.get(f"/v1/operator/{kind}/{reference}", headers=op.auth("auditor"))
    assert answer.status_code == 200, answer.text
    return answer.json()  # type: ignore[no-any-return]


def test_the_same_request_again_answers_the_original_writes_and_stores_nothing_new(op: Operator) -> None:
    body = {"campaign": "welcome", "rows": rows(3, "again")}
    first, second = op.post("rewards", body), op.post("rewards", body)
    assert (first[0], first[1]["new"], second[0], second[1]["replayed"]) == (202, 3, 200, 3)
    assert [w["id"] for w in first[1]["writes"]] == [w["id"] for w in second[1]["writes"]]
    assert {w["status"] for w in second[1]["writes"]} == {"accepted"}


def test_the_same_reference_with_other_content_is_a_409_naming_the_write_and_nothing_is_stored(
    op: Operator,
) -> None:
    body = {"campaign": "welcome", "rows": rows(2, "conflict")}
    op.post("rewards", body)
    changed = {"campaign": "welcome", "rows": [*rows(1, "fresh"), {**body["rows"][1], "amount": "8"}]}
    code, answer = op.post("rewards", changed)
    assert (code, answer["error"]) == (409, "conflict")
    assert "rows[1]: reference 'conflict-1' is already write" in answer["message"]
    assert op.api.get("/v1/operator/rewards/fresh-0", headers=op.auth("issuer")).status_code == 404


def test_a_hundred_identical_requests_at_once_store_one_write_and_land_once(op: Operator) -> None:
    body = {"campaign": "welcome", "rows": rows(5, "hundred")}
    with ThreadPoolExecutor(16) as pool:
        answers = list(pool.map(lambda _: op.post("rewards", body), range(100)))
    assert sorted(code for code, _ in answers).count(202) == 1
    assert {code for code, _ in answers} == {200, 202}
    assert len({tuple(w["id"] for w in a["writes"]) for _, a in answers}) == 1
    op.send_all()
    assert op.ledger.client.chain_state()[0] == 5
    for row in body["rows"]:
        assert op.ledger.client.player(bytes.fromhex(row["player"][2:])).balance == 7


def test_the_sender_lands_rewards_in_batches_then_marks_them_final(op: Operator) -> None:
    many = rows(40, "batch")
    for start in range(0, 40, 10):
        assert op.post("rewards", {"campaign": "welcome", "rows": many[start : start + 10]})[0] == 202
    op.send_all()
    mined = [status(op, "rewards", r["reference"]) for r in many]
    assert {m["status"] for m in mined} <= {"mined", "final"}
    assert len({m["batch_id"] for m in mined}) == 1 and sorted(m["seq"] for m in mined) == list(range(1, 41))
    assert op.ledger.client.campaign(CID).issued == 280
    op.ledger.w3.provider.make_request("anvil_mine", [hex(200)])  # type: ignore[arg-type]
    op.send_all()
    assert {status(op, "rewards", r["reference"])["status"] for r in many} == {"final"}
    op.send_all()  # nothing waits: nothing more is sent
    assert op.ledger.client.chain_state()[0] == 40


def test_a_reference_that_landed_by_the_cli_with_other_content_is_refused_at_acceptance(op: Operator) -> None:
    key = player()
    landed = op.ledger.issue(CID, bytes.fromhex(key[2:]), 3, ref="cli-landed")
    code, answer = op.post(
        "rewards",
        {"campaign": "welcome", "rows": [{"player": key, "amount": "4", "reference": "cli-landed"}]},
    )
    assert code == 409 and f"already landed as entry {landed.seq}" in answer["message"]
    same = {"campaign": "welcome", "rows": [{"player": key, "amount": "3", "reference": "cli-landed"}]}
    assert op.post("rewards", same)[0] == 202
    op.send_all()
    write = status(op, "rewards", "cli-landed")
    assert (write["status"] in ("mined", "final"), write["seq"]) == (True, landed.seq)
    assert op.ledger.client.chain_state()[0] == 1


def test_a_conflict_that_lands_after_acceptance_fails_that_row_with_the_entry_and_sends_the_rest(
    op: Operator,
) -> None:
    body = {"campaign": "welcome", "rows": rows(3, "late")}
    assert op.post("rewards", body)[0] == 202
    other = op.ledger.issue(CID, bytes.fromhex(player()[2:]), 9, ref="late-1")
    op.send_all()
    failed = status(op, "rewards", "late-1")
    assert (failed["status"], failed["conflict_seq"]) == ("failed", other.seq)
    assert "other content" in failed["failure"]
    assert {status(op, "rewards", f"late-{i}")["status"] for i in (0, 2)} <= {"mined", "final"}
    assert op.ledger.client.chain_state()[0] == 3


def test_payouts_and_expiries_land_once_and_a_payout_beyond_the_balance_fails_with_a_reason(
    op: Operator,
) -> None:
    key = player()
    op.post(
        "rewards", {"campaign": "welcome", "rows": [{"player": key, "amount": "100", "reference": "pay-r"}]}
    )
    for _ in range(2):
        assert op.post("payouts", {"player": key, "amount": "30", "reference": "pay-1"}, scope="payer")[
            0
        ] in (200, 202)
    expiry = {"player": key, "amount": "20", "reference": "exp-1", "reason": "inactive"}
    assert op.post("expiries", expiry)[0] == 202
    assert (
        op.post("payouts", {"player": key, "amount": "1000", "reference": "pay-2"}, scope="payer")[0] == 202
    )
    op.send_all()
    assert op.ledger.client.player(bytes.fromhex(key[2:])).balance == 50
    assert status(op, "payouts", "pay-1")["status"] in ("mined", "final")
    assert status(op, "expiries", "exp-1")["seq"] is not None
    refused = status(op, "payouts", "pay-2")
    assert refused["status"] == "failed" and refused["failure"]


def test_rewards_of_a_closed_campaign_fail_with_the_reason(op: Operator) -> None:
    op.ledger.sender.transact(op.ledger.client.address, op.ledger.client.encode("closeCampaign", CID))
    assert op.post("rewards", {"campaign": "welcome", "rows": rows(2, "closed")})[0] == 202
    op.send_all()
    failed = status(op, "rewards", "closed-0")
    assert failed["status"] == "failed" and "campaign welcome is closed" in failed["failure"]
    assert op.ledger.client.chain_state()[0] == 0


def test_a_reversal_lands_once_and_other_content_for_the_same_reward_is_refused(op: Operator) -> None:
    key = player()
    op.post(
        "rewards", {"campaign": "welcome", "rows": [{"player": key, "amount": "50", "reference": "rev-r"}]}
    )
    op.send_all()
    seq = status(op, "rewards", "rev-r")["seq"]
    body = {"reward_seq": str(seq), "amount": "20", "reason": "duplicate account"}
    assert [op.post("reversals", body)[0] for _ in range(2)] == [202, 200]
    code, answer = op.post("reversals", {**body, "amount": "21"})
    assert code == 409 and "is already write" in answer["message"]
    assert op.post("reversals", {"reward_seq": "999", "amount": "1", "reason": "no such"})[0] == 202
    op.send_all()
    done = status(op, "reversals", str(seq))
    assert (done["status"] in ("mined", "final"), done["player"]) == (True, key)
    assert op.ledger.client.player(bytes.fromhex(key[2:])).balance == 30
    assert op.ledger.client.chain_state()[0] == 2
    missing = status(op, "reversals", "999")
    assert missing["status"] == "failed" and "entry 999 does not exist" in missing["failure"]


def test_a_reward_reversed_elsewhere_counts_as_landed_with_the_same_content_and_fails_with_other(
    op: Operator,
) -> None:
    from ledger.ops.entries import reverse_reward
    from ledger.ops.lookup import find_reward

    seqs = [op.ledger.issue(CID, bytes.fromhex(player()[2:]), 10).seq for _ in range(2)]
    for seq in seqs:
        reverse_reward(
            op.ledger.client, op.ledger.sender, find_reward(op.ledger.client, seq), 4, text_to_bytes("cli")
        )
    op.post("reversals", {"reward_seq": str(seqs[0]), "amount": "4", "reason": "cli"})
    op.post("reversals", {"reward_seq": str(seqs[1]), "amount": "5", "reason": "cli"})
    op.send_all()
    same, other = (status(op, "reversals", str(seq)) for seq in seqs)
    assert same["status"] in ("mined", "final") and same["seq"] == seqs[1] + 1
    assert other["status"] == "failed" and other["conflict_seq"] == seqs[1] + 2
    assert op.ledger.client.chain_state()[0] == 4
