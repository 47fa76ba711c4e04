"""The entry columns are listed once (`ENTRY_NAMES`): the statements select them in that order and
`entry_fields` reads each by its place, which this checks name by name."""

from __future__ import annotations

from api.store.common import ENTRY_COLUMNS, ENTRY_NAMES, ZERO32_HEX, entry_fields
from api.store.entries import entries_sql
from api.store.reader import Head
from ledger.display import Display

VALUES = {
    "seq": 7, "kind": "paid", "player": "0xplayer", "campaign_id": ZERO32_HEX, "amount": "0000000005",
    "ref": "0x" + b"pay-1".ljust(32, b"\0").hex(), "aux": "0xaux", "reward_seq": None, "batch_id": None,
    "batch_index": None, "head": "0xhead", "block_number": 10, "block_hash": "0xblockhash", "block_time": 99,
    "tx_hash": "0xtx", "log_index": 3, "sender": "0xsender",
}  # fmt: skip


def test_every_entry_column_lands_in_its_own_field() -> None:
    assert set(VALUES) == set(ENTRY_NAMES)
    head = Head(31337, "0xcontract", block=12, block_hash="0xmirror", finalized=10, chain_block=14)
    fields = entry_fields([VALUES[name] for name in ENTRY_NAMES], head, Display("EUR", 2).text)
    proof = fields["verification"]
    assert (fields["seq"], fields["kind"], fields["player"], fields["campaign_id"]) == (
        7,
        "paid",
        "0xplayer",
        None,
    )
    assert (fields["amount"], fields["amount_display"], fields["ref_text"], fields["aux"]) == (
        "5", "0.05 EUR", "pay-1", "0xaux",
    )  # fmt: skip
    assert (fields["block_time"], fields["sender"], fields["confirmations"], fields["finalized"]) == (
        99, "0xsender", 5, True,
    )  # fmt: skip
    assert (proof["tx_hash"], proof["block_number"], proof["block_hash"], proof["log_index"], proof["head"]) == (
        "0xtx", 10, "0xblockhash", 3, "0xhead",
    )  # fmt: skip
    assert proof["event"] == "PayoutRecorded" and proof["batch_index"] is None


def test_the_statements_select_the_listed_columns_in_order() -> None:
    sql = entries_sql("e.amount", ("player",), "asc", False, head=False)
    selected = sql.removeprefix("SELECT ").split(" FROM ")[0].split(", ")
    assert [column.removeprefix("e.") for column in selected] == list(ENTRY_NAMES)
    assert ENTRY_COLUMNS.format(amount="e.amount") in entries_sql("e.amount", (), "desc", True, head=True)
