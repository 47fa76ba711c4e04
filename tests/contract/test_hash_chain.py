"""The hash-chain head recomputed from a mixed sequence of entries equals the contract's."""

from __future__ import annotations

import secrets
from collections.abc import Callable

from ledger.encoding import row_ref_word, text_to_bytes
from ledger.events import decode_log, entries_of
from ledger.hashchain import ZERO32, Entry, EntryKind, chain_head, fold
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


def test_every_entry_kind_is_folded_on_chain_as_the_python_hash_chain_folds_it(ledger: LedgerHarness) -> None:
    cid, player, other = ledger.campaign(), random_player(), random_player()
    batch_id, reason = secrets.token_bytes(32), text_to_bytes("stale")
    batch = rows(2, players=[player, other])
    # Each entry as the caller sent it, hashed off chain; the head is read from the contract.
    steps: list[tuple[Callable[[], object], list[Entry]]] = [
        (
            lambda: ledger.issue(cid, player, 500, ref="one"),
            [Entry(1, EntryKind.ISSUED, cid, player, 500, text_to_bytes("one"))],
        ),
        (
            lambda: ledger.issue_batch(cid, batch, batch_id),
            [
                Entry(2 + i, EntryKind.ISSUED, cid, row.player, row.amount, row.ref + bytes(12), batch_id)
                for i, row in enumerate(batch)
            ],
        ),
        (
            lambda: record_payout(ledger.client, ledger.sender, player, 40, text_to_bytes("pay")),
            [Entry(4, EntryKind.PAID, ZERO32, player, 40, text_to_bytes("pay"))],
        ),
        (
            lambda: reverse_reward(ledger.client, ledger.sender, find_reward(ledger.client, 3), 7, reason),
            [Entry(5, EntryKind.REVERSED, cid, other, 7, (3).to_bytes(32, "big"), reason)],
        ),
        (
            lambda: expire_balance(ledger.client, ledger.sender, player, 9, text_to_bytes("exp"), reason),
            [Entry(6, EntryKind.EXPIRED, ZERO32, player, 9, text_to_bytes("exp"), reason)],
        ),
    ]
    head, kinds = ZERO32, set()
    for send, entries in steps:
        send()
        for entry in entries:
            head = fold(head, entry)
            kinds.add(entry.kind)
        assert ledger.client.chain_state() == (entries[-1].seq, head)
    assert kinds == set(EntryKind)
