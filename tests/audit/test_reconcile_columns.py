"""`reconcile` checks every mirrored column: each class of tampering fails, naming the row and column.

Each case changes a mirror that reconciled, then expects the report to name the first divergent
row and each changed column, with the chain's value taken from the chain itself (receipts,
blocks, the operator's address), not from the mirror.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy import Connection, Engine, delete, insert, select, update

from ledger.audit.reconcile import reconcile
from ledger.audit.store import (
    BLOCK_COLUMNS,
    ENTRY_COLUMNS,
    EVENT_COLUMNS,
    KIND_COLUMNS,
    mirrored_columns,
)
from ledger.db import tables as t
from tests.audit.conftest import Activity

# (what, the key's start, the chain's value, the mirror's value); None matches any value.
Expect = tuple[str, str, Any, Any]


@dataclass
class Facts:
    """The clean mirror's rows, to find what to tamper with (the expectations come from the chain)."""

    activity: Activity
    entries: dict[int, Any]
    events: list[Any]

    def of_kind(self, kind: str) -> list[Any]:
        return [row for seq, row in sorted(self.entries.items()) if row.kind == kind]

    def block(self, number: int) -> Any:
        return self.activity.ledger.w3.eth.get_block(number)

    def entry_key(self, seq: int) -> str:
        return f"entries seq {seq} "


def _facts(activity: Activity, engine: Engine) -> Facts:
    with engine.connect() as conn:
        entries = {row.seq: row for row in conn.execute(select(t.entries))}
        events = list(conn.execute(select(t.events).order_by(t.events.c.block_number, t.events.c.log_index)))
    return Facts(activity, entries, events)


def _set(conn: Connection, table: Any, where: Any, **values: Any) -> None:
    assert conn.execute(update(table).where(where).values(**values)).rowcount == 1


CASES: dict[str, Callable[[Connection, Facts], tuple[list[Expect], str]]] = {}


def case(fn: Callable[[Connection, Facts], tuple[list[Expect], str]]) -> Callable[..., Any]:
    CASES[fn.__name__] = fn
    return fn


@case
def location_pointed_at_another_payout(conn: Connection, f: Facts) -> tuple[list[Expect], str]:
    mine, other = f.activity.payouts
    there = f.entries[other.seq]
    _set(conn, t.entries, t.entries.c.seq == mine.seq, tx_hash=there.tx_hash, block_number=there.block_number,
         block_hash=there.block_hash)  # fmt: skip
    key = f.entry_key(mine.seq)
    return [
        ("entry tx_hash", key, "0x" + mine.tx_hash.hex(), there.tx_hash),
        ("entry block_number", key, str(mine.block_number), str(there.block_number)),
        ("entry block_hash", key, f.block(mine.block_number)["hash"].to_0x_hex(), there.block_hash),
    ], key


@case
def log_index(conn: Connection, f: Facts) -> tuple[list[Expect], str]:
    seq = f.activity.payouts[0].seq
    _set(conn, t.entries, t.entries.c.seq == seq, log_index=f.entries[seq].log_index + 3)
    return [("entry log_index", f.entry_key(seq), None, str(f.entries[seq].log_index + 3))], f.entry_key(seq)


@case
def sender(conn: Connection, f: Facts) -> tuple[list[Expect], str]:
    row = f.of_kind("reversed")[0]
    _set(conn, t.entries, t.entries.c.seq == row.seq, sender="0x" + "ab" * 20)
    operator = f.activity.ledger.account.address.lower()
    return [("entry sender", f.entry_key(row.seq), operator, "0x" + "ab" * 20)], f.entry_key(row.seq)


@case
def block_time(conn: Connection, f: Facts) -> tuple[list[Expect], str]:
    row = f.of_kind("expired")[0]
    _set(conn, t.entries, t.entries.c.seq == row.seq, block_time=row.block_time - 86_400)
    chain_time = f.block(row.block_number)["timestamp"]
    return [
        ("entry block_time", f.entry_key(row.seq), str(chain_time), str(chain_time - 86_400))
    ], f.entry_key(row.seq)


@case
def batch_index(conn: Connection, f: Facts) -> tuple[list[Expect], str]:
    batch = [row for row in f.of_kind("issued") if row.batch_id is not None]
    first, second = batch[1], batch[2]
    _set(conn, t.entries, t.entries.c.seq == first.seq, batch_index=2)
    _set(conn, t.entries, t.entries.c.seq == second.seq, batch_index=1)
    return [
        ("entry batch_index", f.entry_key(first.seq), "1", "2"),
        ("entry batch_index", f.entry_key(second.seq), "2", "1"),
    ], f.entry_key(first.seq)


@case
def batch_id(conn: Connection, f: Facts) -> tuple[list[Expect], str]:
    row = next(row for row in f.of_kind("issued") if row.batch_id is not None)
    _set(conn, t.entries, t.entries.c.seq == row.seq, batch_id="0x" + "11" * 32)
    return [("entry batch_id", f.entry_key(row.seq), None, "0x" + "11" * 32)], f.entry_key(row.seq)


@case
def head(conn: Connection, f: Facts) -> tuple[list[Expect], str]:
    last = max(f.entries)
    _set(conn, t.entries, t.entries.c.seq == last, head="0x" + "22" * 32)
    chain_head = "0x" + f.activity.ledger.client.chain_state()[1].hex()
    return [("entry head", f.entry_key(last), chain_head, "0x" + "22" * 32)], f.entry_key(last)


@case
def reward_seq(conn: Connection, f: Facts) -> tuple[list[Expect], str]:
    row = f.of_kind("reversed")[0]
    _set(conn, t.entries, t.entries.c.seq == row.seq, reward_seq=row.reward_seq + 1)
    return [("entry reward_seq", f.entry_key(row.seq), str(row.reward_seq), str(row.reward_seq + 1))], (
        f.entry_key(row.seq)
    )


@case
def entry_linked_to_another_event(conn: Connection, f: Facts) -> tuple[list[Expect], str]:
    mine, other = f.activity.payouts
    _set(conn, t.entries, t.entries.c.seq == mine.seq, event_id=f.entries[other.seq].event_id)
    return [
        ("entry event_id", f.entry_key(mine.seq), f"tx 0x{mine.tx_hash.hex()}, log 0", None)
    ], f.entry_key(mine.seq)


@case
def event_data(conn: Connection, f: Facts) -> tuple[list[Expect], str]:
    payout = f.activity.payouts[0]
    event = next(e for e in f.events if e.tx_hash == "0x" + payout.tx_hash.hex())
    data = json.loads(event.data)
    data["amount"] = "999999"
    _set(conn, t.events, t.events.c.id == event.id, data=json.dumps(data))
    key = f"events block {payout.block_number} log 0"
    return [("event data.amount", key, str(f.activity.amounts[0]), "999999")], key


@case
def event_name_and_location(conn: Connection, f: Facts) -> tuple[list[Expect], str]:
    event = next(e for e in f.events if e.name == "CampaignClosed")
    _set(conn, t.events, t.events.c.id == event.id, name="CampaignCreated", log_index=event.log_index + 4)
    key = f"events block {event.block_number} log "
    return [
        ("event name", key, "CampaignClosed", "CampaignCreated"),
        ("event log_index", key, str(event.log_index), str(event.log_index + 4)),
    ], key


@case
def missing_event(conn: Connection, f: Facts) -> tuple[list[Expect], str]:
    event = next(e for e in f.events if e.name == "Paused")
    conn.execute(delete(t.events).where(t.events.c.id == event.id))
    key = f"events block {event.block_number} log {event.log_index}"
    return [("event", key, "present", "missing")], key


@case
def extra_event(conn: Connection, f: Facts) -> tuple[list[Expect], str]:
    event = next(e for e in f.events if e.name == "Unpaused")
    values = {c: getattr(event, c) for c in EVENT_COLUMNS} | {"chain_id": event.chain_id, "log_index": 9}
    conn.execute(insert(t.events).values(values))
    key = f"events block {event.block_number} log 9"
    return [("event", key, "absent", "present")], key


@case
def campaign_metadata(conn: Connection, f: Facts) -> tuple[list[Expect], str]:
    welcome = "0x" + f.activity.made["welcome"].hex()
    created = next(e for e in f.events if e.name == "CampaignCreated" and welcome in e.data)
    c = t.campaigns.c
    _set(conn, t.campaigns, c.campaign_id == welcome, created_tx="0x" + "33" * 32,
         created_block=created.block_number + 1, end_time=1, terms_hash="0x" + "44" * 32)  # fmt: skip
    key = f"campaigns {welcome}"
    return [
        ("campaign created_tx", key, created.tx_hash, "0x" + "33" * 32),
        ("campaign created_block", key, str(created.block_number), str(created.block_number + 1)),
        (
            "campaign end_time",
            key,
            str(f.activity.ledger.client.campaign(f.activity.made["welcome"]).end),
            "1",
        ),
        ("campaign terms_hash", key, None, "0x" + "44" * 32),
    ], key


@case
def campaign_closure(conn: Connection, f: Facts) -> tuple[list[Expect], str]:
    spring, welcome = ("0x" + f.activity.made[name].hex() for name in ("spring", "welcome"))
    closed = next(e for e in f.events if e.name == "CampaignClosed")
    _set(conn, t.campaigns, t.campaigns.c.campaign_id == spring, closed_block=closed.block_number - 1)
    _set(conn, t.campaigns, t.campaigns.c.campaign_id == welcome, closed=True, reversed=0)
    return [
        (
            "campaign closed_block",
            f"campaigns {spring}",
            str(closed.block_number),
            str(closed.block_number - 1),
        ),
        ("campaign closed", f"campaigns {welcome}", "False", "True"),
        ("campaign reversed", f"campaigns {welcome}", "700", "0"),
    ], "campaigns "


@case
def extra_campaign(conn: Connection, f: Facts) -> tuple[list[Expect], str]:
    welcome = "0x" + f.activity.made["welcome"].hex()
    row = conn.execute(select(t.campaigns).where(t.campaigns.c.campaign_id == welcome)).one()
    conn.execute(insert(t.campaigns).values(dict(row._mapping) | {"campaign_id": "0x" + "55" * 32}))
    key = "campaigns 0x" + "55" * 32
    return [("campaign", key, "absent", "present")], key


@case
def malformed_keys(conn: Connection, f: Facts) -> tuple[list[Expect], str]:
    welcome = "0x" + f.activity.made["welcome"].hex()
    campaign = conn.execute(select(t.campaigns).where(t.campaigns.c.campaign_id == welcome)).one()
    conn.execute(insert(t.campaigns).values(dict(campaign._mapping) | {"campaign_id": "welcome"}))
    player = conn.execute(select(t.players).limit(1)).one()
    conn.execute(insert(t.players).values(dict(player._mapping) | {"player": "0xnot-a-key"}))
    return [
        ("campaign", "campaigns welcome", "absent", "present"),
        ("player", "players 0xnot-a-key", "absent", "present"),
    ], "players 0xnot-a-key"


@case
def mirror_claims_a_later_first_block(conn: Connection, f: Facts) -> tuple[list[Expect], str]:
    third = f.entries[3]
    _set(conn, t.cursor, t.cursor.c.id == 1, start_block=third.block_number)
    before = [seq for seq, row in f.entries.items() if row.block_number < third.block_number]
    return [
        ("entry", f"entries seq 1 to {max(before)}", "present", "missing (before the mirror's first block)"),
        ("entry", "entries seq 1 ", "absent", "present"),
    ], "events block "  # the deployment's role events come first, as extra rows


@pytest.mark.parametrize("table", ["payouts", "reversals", "expiries"])
def test_an_extra_row_of_a_kind_table_fails_naming_it(
    activity: Activity, mirrored: Engine, table: str
) -> None:
    f = _facts(activity, mirrored)
    issued = f.of_kind("issued")[0]
    values = {
        "seq": issued.seq,
        "player": issued.player,
        "amount": issued.amount,
        "block_number": issued.block_number,
    }
    extra = {"payouts": {"ref": issued.ref}, "reversals": {"reward_seq": 1, "campaign_id": issued.campaign_id,
             "reason": issued.aux}, "expiries": {"ref": issued.ref, "reason": issued.aux}}[table]  # fmt: skip
    with mirrored.begin() as conn:
        conn.execute(insert(t.TABLES[table]).values(values | extra))
    report = reconcile(activity.ledger.client, mirrored)
    what = {"payouts": "payout", "reversals": "reversal", "expiries": "expiry"}[table]
    assert not report.ok and report.first_divergent_seq is None
    assert [(d.what, d.key, d.chain, d.mirror) for d in report.differences] == [
        (what, f"{table} seq {issued.seq}", "absent", "present")
    ]
    assert report.first_divergent_row == f"{table} seq {issued.seq}"


@case
def kind_table_columns(conn: Connection, f: Facts) -> tuple[list[Expect], str]:
    paid, reversed_, expired = (f.of_kind(kind)[0] for kind in ("paid", "reversed", "expired"))
    _set(conn, t.payouts, t.payouts.c.seq == paid.seq, ref="0x" + "66" * 32)
    _set(conn, t.reversals, t.reversals.c.seq == reversed_.seq, reason="0x" + "77" * 32, reward_seq=2)
    _set(conn, t.expiries, t.expiries.c.seq == expired.seq, block_number=expired.block_number + 1)
    return [
        ("payout ref", f"payouts seq {paid.seq}", paid.ref, "0x" + "66" * 32),
        ("reversal reason", f"reversals seq {reversed_.seq}", reversed_.aux, "0x" + "77" * 32),
        ("reversal reward_seq", f"reversals seq {reversed_.seq}", str(reversed_.reward_seq), "2"),
        ("expiry block_number", f"expiries seq {expired.seq}", str(expired.block_number), None),
    ], f"payouts seq {paid.seq}"


@case
def missing_block_row(conn: Connection, f: Facts) -> tuple[list[Expect], str]:
    number = f.activity.payouts[0].block_number
    conn.execute(delete(t.blocks).where(t.blocks.c.number == number))
    return [("block", f"blocks {number}", "present", "missing")], f"blocks {number}"


@case
def block_row_columns(conn: Connection, f: Facts) -> tuple[list[Expect], str]:
    number = f.activity.payouts[1].block_number
    chain = f.block(number)
    _set(conn, t.blocks, t.blocks.c.number == number, timestamp=chain["timestamp"] + 5,
         parent_hash="0x" + "88" * 32)  # fmt: skip
    return [
        ("block timestamp", f"blocks {number}", str(chain["timestamp"]), str(chain["timestamp"] + 5)),
        ("block parent_hash", f"blocks {number}", chain["parentHash"].to_0x_hex(), "0x" + "88" * 32),
    ], f"blocks {number}"


@case
def player_spans_and_an_extra_player(conn: Connection, f: Facts) -> tuple[list[Expect], str]:
    alice = "0x" + f.activity.made["alice"].hex()
    row = conn.execute(select(t.players).where(t.players.c.player == alice)).one()
    _set(
        conn,
        t.players,
        t.players.c.player == alice,
        last_block=row.last_block + 1,
        first_seq=row.first_seq + 1,
    )
    zeros = dict(row._mapping) | {"player": "0x" + "99" * 32, "balance": 0, "earned": 0, "paid": 0,
                                  "reversed": 0, "expired": 0, "entries": 0}  # fmt: skip
    conn.execute(insert(t.players).values(zeros))
    alice_seqs = [seq for seq, e in f.entries.items() if e.player == alice]
    return [
        ("player first_seq", f"players {alice}", str(min(alice_seqs)), None),
        (
            "player last_block",
            f"players {alice}",
            str(f.entries[max(alice_seqs)].block_number),
            None,
        ),
        ("player", "players 0x" + "99" * 32, "absent", "present"),
    ], "players "


@case
def cursor_hash(conn: Connection, f: Facts) -> tuple[list[Expect], str]:
    _set(conn, t.cursor, t.cursor.c.id == 1, last_block_hash="0x" + "aa" * 32)
    return [("cursor last_block_hash", "indexer_cursor", None, "0x" + "aa" * 32)], "indexer_cursor"


@pytest.mark.parametrize("name", sorted(CASES))
def test_a_tampered_column_fails_naming_the_first_row_and_each_column(
    activity: Activity, mirrored: Engine, name: str
) -> None:
    clean = reconcile(activity.ledger.client, mirrored)
    assert clean.ok, clean.lines()
    f = _facts(activity, mirrored)
    with mirrored.begin() as conn:
        expected, first_row = CASES[name](conn, f)
    report = reconcile(activity.ledger.client, mirrored)
    assert not report.ok and report.lines()[0].startswith("FAIL at block")
    found = [(d.what, d.key, d.chain, d.mirror) for d in report.differences]
    for what, key, chain, mirror in expected:
        assert any(
            d[0] == what and d[1].startswith(key) and chain in (None, d[2]) and mirror in (None, d[3])
            for d in found
        ), (what, key, chain, mirror, report.lines())
    assert report.first_divergent_row is not None and report.first_divergent_row.startswith(first_row)
    assert f"first divergent row: {report.first_divergent_row}" in report.lines()


def test_every_column_of_every_mirrored_table_is_audited() -> None:
    audited = {
        "entries": set(ENTRY_COLUMNS), "events": set(EVENT_COLUMNS), "blocks": set(BLOCK_COLUMNS),
        **{table: set(columns) for table, columns in KIND_COLUMNS.items()},
    }  # fmt: skip
    for table, columns in audited.items():
        assert columns == mirrored_columns(t.TABLES[table]), table
