"""The transform is pure: recorded logs in, rows and aggregate moves out, the hash chain checked."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from eth_abi.abi import decode, encode
from eth_utils.crypto import keccak

from ledger.events import decode_log, entries_of
from ledger.indexer.decode import decode as sliced_decode
from ledger.indexer.decode import topic_of
from ledger.indexer.extract import Block
from ledger.indexer.transform import MirrorHead, TransformFailed, transform

RECORD = json.loads((Path(__file__).parent / "data" / "every_kind.json").read_text(encoding="utf-8"))


def run(logs: list[dict[str, Any]] | None = None, start: MirrorHead | None = None) -> Any:
    blocks = {int(n): Block(**b) for n, b in RECORD["blocks"].items()}
    return transform(
        RECORD["logs"] if logs is None else logs,
        blocks,
        start or MirrorHead(),
        RECORD["chain_id"],
        RECORD["contract"],
    )


def test_recorded_logs_become_one_event_row_each_and_ten_entries_folding_to_the_chains_head() -> None:
    batch = run()
    entries = entry_rows(batch)
    assert len(batch.events) == len(RECORD["logs"])
    assert [e["kind"] for e in entries] == ["issued"] * 7 + ["paid", "reversed", "expired"]
    assert [e["seq"] for e in entries] == list(range(1, 11))
    assert batch.head.count == 10
    assert entries[-1]["head"] == "0x" + batch.head.head.hex()
    assert {e["name"] for e in batch.events} >= {"CampaignCreated", "BatchIssued", "CampaignClosed", "Paused"}
    batch_rows = [e for e in entries if e["batch_id"]]
    assert [e["batch_index"] for e in batch_rows] == [0, 1, 2, 3, 4]
    assert all(e["sender"].startswith("0x") and len(e["sender"]) == 42 for e in entries)


def test_aggregates_move_as_the_contract_moves_them() -> None:
    batch = run()
    issued = sum(e["amount"] for e in entry_rows(batch) if e["kind"] == "issued")
    totals = batch.figures.totals
    assert totals["issued"] == issued
    assert (totals["paid"], totals["reversed"], totals["expired"]) == (1_500, 700, 300)
    assert sum(p["balance"] for p in batch.figures.players.values()) == issued - 1_500 - 700 - 300
    assert sum(p.entries for p in batch.figures.players.values()) == 10
    assert sum(a["issued"] for a in batch.figures.campaigns.values()) == issued
    assert sum(a["reversed"] for a in batch.figures.campaigns.values()) == 700
    assert len(batch.payouts) == len(batch.reversals) == len(batch.expiries) == 1
    assert batch.reversals[0]["reward_seq"] == 1
    assert len(batch.campaigns) == 2 and len(batch.closures) == 1


def test_a_changed_amount_breaks_the_fold_and_names_the_log() -> None:
    logs = copy.deepcopy(RECORD["logs"])
    issue = next(
        log for log in logs if len(log["topics"]) == 3 and log["data"].startswith("0x" + "00" * 31 + "01")
    )
    data = bytearray.fromhex(issue["data"][2:])
    data[63] ^= 1  # the amount word's last byte
    issue["data"] = "0x" + data.hex()
    with pytest.raises(
        TransformFailed, match=r"entry 1 folds to head 0x[0-9a-f]{64} but the event says"
    ) as caught:
        run(logs)
    assert caught.value.tx_hash == issue["transactionHash"]


def test_a_missing_log_is_a_gap_in_the_sequence() -> None:
    batch = run()
    first_entry_event = next(i for i, e in enumerate(batch.events) if e["seq"] == 1)
    logs = [log for i, log in enumerate(RECORD["logs"]) if i != first_entry_event]
    with pytest.raises(TransformFailed, match="but the mirror's next entry is 1"):
        run(logs)


def test_a_log_with_an_unknown_topic_is_refused() -> None:
    logs = copy.deepcopy(RECORD["logs"])
    logs[0]["topics"][0] = "0x" + "ab" * 32
    with pytest.raises(TransformFailed, match="unknown event topic 0xabab"):
        run(logs)


def test_entries_the_mirror_already_holds_are_skipped() -> None:
    whole = run()
    replay = run(start=MirrorHead(whole.head.count, whole.head.head))
    assert replay.entries == [] and replay.head == whole.head
    assert len(replay.events) == len(whole.events)  # event rows are inserted idempotently by the load


# ---------------------------------------------------------------- an independent statement
# The checks below restate the contract from its interface alone, with none of the ledger's own
# code: event signatures as text, eth_abi to decode and encode, keccak256 straight from eth_utils,
# `head_n = keccak256(abi.encode(head_{n-1}, n, kind, campaignId, player, amount, ref, aux))`, and
# balances summed from the raw logs. A bug in the shared fold or decode would not be repeated here.

ISSUED, PAID, REVERSED, EXPIRED = 1, 2, 3, 4
FOLD_TYPES = ["bytes32", "uint256", "uint8", "bytes32", "bytes32", "uint256", "bytes32", "bytes32"]
SIGNATURES = {
    "RewardIssued(uint256,bytes32,bytes32,uint256,bytes32,bytes32)": ["uint256", "uint256", "bytes32", "bytes32"],
    "BatchIssued(bytes32,bytes32,uint256,uint256,bytes32,bytes)": ["uint256", "uint256", "bytes32", "bytes"],
    "PayoutRecorded(uint256,bytes32,uint256,bytes32,bytes32)": ["uint256", "uint256", "bytes32", "bytes32"],
    "RewardReversed(uint256,bytes32,bytes32,uint256,uint256,bytes32,bytes32)": [
        "uint256", "uint256", "uint256", "bytes32", "bytes32"
    ],
    "BalanceExpired(uint256,bytes32,uint256,bytes32,bytes32,bytes32)": [
        "uint256", "uint256", "bytes32", "bytes32", "bytes32"
    ],
}  # fmt: skip
TOPICS = {"0x" + keccak(text=sig).hex(): (sig.split("(")[0], types) for sig, types in SIGNATURES.items()}
Z = b"\x00" * 32

# one entry as folded: (seq, kind, campaign, player, amount, ref, aux), with the head its event states
Folded = tuple[int, int, bytes, bytes, int, bytes, bytes]


def entry_rows(batch: Any) -> list[dict[str, Any]]:
    """The transform's entry rows as dicts (the one place that knows how a batch holds them)."""
    as_dicts = getattr(batch, "entry_dicts", None)
    return list(as_dicts() if as_dicts is not None else batch.entries)


def entries_stated_by_the_logs() -> list[tuple[Folded, bytes | None]]:
    """Every entry the recorded logs carry, decoded from the signatures above; the head is the one
    the event states after it (a batch states one, after its last row)."""
    found: list[tuple[Folded, bytes | None]] = []
    for log in RECORD["logs"]:
        if log["topics"][0] not in TOPICS:
            continue
        name, types = TOPICS[log["topics"][0]]
        topic = [bytes.fromhex(t[2:]) for t in log["topics"][1:]]
        values = decode(types, bytes.fromhex(log["data"][2:]))
        if name == "RewardIssued":
            seq, amount, ref, head = values
            found.append(((seq, ISSUED, topic[0], topic[1], amount, ref, Z), head))
        elif name == "PayoutRecorded":
            seq, amount, ref, head = values
            found.append(((seq, PAID, Z, topic[0], amount, ref, Z), head))
        elif name == "RewardReversed":
            seq, reward_seq, amount, reason, head = values
            found.append(
                ((seq, REVERSED, topic[0], topic[1], amount, reward_seq.to_bytes(32, "big"), reason), head)
            )
        elif name == "BalanceExpired":
            seq, amount, ref, reason, head = values
            found.append(((seq, EXPIRED, Z, topic[0], amount, ref, reason), head))
        else:  # BatchIssued: 64-byte rows, the player, then the reference's 20 bytes and a 12-byte amount
            first, total, head, records = values
            rows = [records[i : i + 64] for i in range(0, len(records), 64)]
            assert sum(int.from_bytes(r[52:], "big") for r in rows) == total
            for i, row in enumerate(rows):
                entry = (
                    first + i,
                    ISSUED,
                    topic[1],
                    row[:32],
                    int.from_bytes(row[52:], "big"),
                    row[32:52] + bytes(12),
                    topic[0],
                )
                found.append((entry, head if i == len(rows) - 1 else None))
    return found


def test_the_chains_heads_recomputed_from_the_abi_alone_equal_the_transforms_heads() -> None:
    stated = entries_stated_by_the_logs()
    assert [entry[0] for entry, _ in stated] == list(range(1, 11))
    batch = run()
    head = Z
    for (entry, head_on_chain), row in zip(stated, entry_rows(batch), strict=True):
        head = keccak(encode(FOLD_TYPES, [head, *entry]))
        if head_on_chain is not None:
            assert head == head_on_chain, f"entry {entry[0]}: the formula disagrees with the chain"
        assert row["head"] == "0x" + head.hex(), f"entry {entry[0]}"
        assert (row["seq"], row["player"], row["amount"]) == (entry[0], "0x" + entry[3].hex(), entry[4])
    assert batch.head.head == head and batch.head.count == 10


def test_balances_and_totals_summed_from_the_raw_logs_equal_the_transforms() -> None:
    balance: dict[str, int] = {}
    earned: dict[str, int] = {}
    totals = dict.fromkeys((ISSUED, PAID, REVERSED, EXPIRED), 0)
    for (_, kind, _, player, amount, _, _), _ in entries_stated_by_the_logs():
        key = "0x" + player.hex()
        balance[key] = balance.get(key, 0) + (amount if kind == ISSUED else -amount)
        earned[key] = earned.get(key, 0) + (amount if kind == ISSUED else 0)
        totals[kind] += amount
    figures = run().figures
    assert {p: f.values["balance"] for p, f in figures.players.items()} == balance
    assert {p: f.values["earned"] for p, f in figures.players.items()} == earned
    assert figures.totals == {
        "issued": totals[ISSUED], "paid": totals[PAID], "reversed": totals[REVERSED], "expired": totals[EXPIRED]
    }  # fmt: skip


def test_sliced_decoding_gives_what_eth_abi_gives_for_every_recorded_log() -> None:
    for log in RECORD["logs"]:
        assert sliced_decode(log) == decode_log(log), log["topics"][0]


def _batch_log(logs: list[dict[str, Any]]) -> dict[str, Any]:
    return next(log for log in logs if log["topics"][0] == topic_of("BatchIssued"))


def test_a_changed_batch_row_breaks_the_fold_at_the_batchs_last_entry() -> None:
    logs = copy.deepcopy(RECORD["logs"])
    batch_log = _batch_log(logs)
    data = bytearray.fromhex(batch_log["data"][2:])
    data[-1 - 64] ^= 1  # the last byte of the amount of the fourth of five rows (records end the data)
    batch_log["data"] = "0x" + data.hex()
    seqs = [e.entry.seq for e in entries_of(decode_log(batch_log))]
    with pytest.raises(
        TransformFailed, match=rf"entry {seqs[-1]} folds to head 0x[0-9a-f]{{64}} but the event says"
    ):
        run(logs)


def test_batch_records_cut_short_are_refused_with_the_log() -> None:
    logs = copy.deepcopy(RECORD["logs"])
    batch_log = _batch_log(logs)
    data = bytearray.fromhex(batch_log["data"][2:])
    data[5 * 32 - 1] -= 1  # the records' length word (the fifth): one byte short of whole rows
    batch_log["data"] = "0x" + data.hex()
    with pytest.raises(TransformFailed) as caught:
        run(logs)
    assert caught.value.tx_hash == batch_log["transactionHash"]
