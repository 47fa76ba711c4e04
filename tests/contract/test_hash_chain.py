"""The hash-chain head recomputed from a mixed sequence of entries equals the contract's."""

from __future__ import annotations

import secrets

from ledger.encoding import row_ref_word, text_to_bytes
from ledger.events import decode_log, entries_of
from ledger.hashchain import chain_head
from ledger.ops.entries import expire_balance, record_payout, reverse_reward
from ledger.ops.lookup import find_reward, scan_logs
from tests.conftest import LedgerHarness, random_player
from tests.contract.conftest import rows


def test_the_head_recomputed_from_every_event_equals_the_contracts(ledger: LedgerHarness) -> None:
    cid, player = ledger.campaign(), random_player()
    ledger.issue(cid, player, 1_000)
    batch = rows(7, players=[player] + [random_player() for _ in range(6)])
    ledger.issue_batch(cid, batch)
    record_payout(ledger.client, ledger.sender, player, 300, text_to_bytes("p1"))
    reverse_reward(ledger.client, ledger.sender, find_reward(ledger.client, 3), 50, text_to_bytes("dup"))
    expire_balance(ledger.client, ledger.sender, player, 100, text_to_bytes("e1"), text_to_bytes("stale"))
    ledger.issue_batch(cid, rows(3))

    raw_logs = list(scan_logs(ledger.client, [], 0, ledger.w3.eth.block_number))
    entries = [e.entry for raw in raw_logs for e in entries_of(decode_log(raw))]
    assert [e.seq for e in entries] == list(range(1, 15))
    count, head = ledger.client.chain_state()
    assert count == 14 and chain_head(entries) == head
    assert entries[3].ref == row_ref_word(batch[2].ref) and entries[3].aux != b"\x00" * 32


def test_changing_any_field_of_any_entry_changes_the_head(ledger: LedgerHarness) -> None:
    cid = ledger.campaign()
    ledger.issue_batch(cid, rows(4))
    raw_logs = list(scan_logs(ledger.client, [], 0, ledger.w3.eth.block_number))
    entries = [e.entry for raw in raw_logs for e in entries_of(decode_log(raw))]
    head = ledger.client.chain_state()[1]
    assert chain_head(entries) == head
    tampered = [
        *entries[:2],
        entries[2].__class__(**{**vars(entries[2]), "amount": entries[2].amount + 1}),
        entries[3],
    ]
    assert chain_head(tampered) != head
    assert chain_head(entries[:3]) != head
    swapped = [entries[1].__class__(**{**vars(entries[1]), "player": secrets.token_bytes(32)})]
    assert chain_head([entries[0], *swapped, *entries[2:]]) != head
