"""The transform is pure: recorded logs in, rows and aggregate moves out, the hash chain checked."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from ledger.audit.mirror import entry_of
from ledger.events import decode_log, entries_of
from ledger.hashchain import chain_head
from ledger.indexer.decode import decode, topic_of
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
    entries = batch.entry_dicts()
    assert len(batch.events) == len(RECORD["logs"])
    assert [e["kind"] for e in entries] == ["issued"] * 7 + ["paid", "reversed", "expired"]
    assert [e["seq"] for e in entries] == list(range(1, 11))
    assert batch.head.count == 10
    assert batch.head.head == chain_head(entry_of(_row(e)) for e in entries)
    assert entries[-1]["head"] == "0x" + batch.head.head.hex()
    assert {e["name"] for e in batch.events} >= {"CampaignCreated", "BatchIssued", "CampaignClosed", "Paused"}
    batch_rows = [e for e in entries if e["batch_id"]]
    assert [e["batch_index"] for e in batch_rows] == [0, 1, 2, 3, 4]
    assert all(e["sender"].startswith("0x") and len(e["sender"]) == 42 for e in entries)


def test_aggregates_move_as_the_contract_moves_them() -> None:
    batch = run()
    issued = sum(e["amount"] for e in batch.entry_dicts() if e["kind"] == "issued")
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


def test_sliced_decoding_gives_what_eth_abi_gives_for_every_recorded_log() -> None:
    for log in RECORD["logs"]:
        assert decode(log) == decode_log(log), log["topics"][0]


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


def _row(entry: dict[str, Any]) -> Any:
    return type("Row", (), entry)
