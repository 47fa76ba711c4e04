"""The ledger owns its storage: its state sits in its own ERC-7201 namespaces, where the artifact
says, and nowhere in the sequential slots its OpenZeppelin bases use."""

from __future__ import annotations

import itertools
import json
from typing import Any

from eth_utils.crypto import keccak

from ledger.artifact import ARTIFACT_PATH, CORE_NAMESPACE, load_artifact
from ledger.encoding import text_to_bytes
from ledger.ops.entries import expire_balance, record_payout, reverse_reward, set_paused
from ledger.ops.lookup import find_reward
from tests.conftest import LedgerHarness, random_player
from tests.contract.conftest import rows

NAMESPACES = (
    "rewardsledger.storage.Core",
    "rewardsledger.storage.Campaigns",
    "rewardsledger.storage.Reversals",
    "rewardsledger.storage.Periods",
)


def root_of(namespace: str) -> int:
    """ERC-7201, as the EIP states it: keccak256(abi.encode(uint256(keccak256(id)) - 1)) & ~0xff."""
    inner = (int(keccak(namespace.encode()).hex(), 16) - 1).to_bytes(32, "big")
    return int(keccak(inner).hex(), 16) // 256 * 256


def layout() -> dict[str, Any]:
    return dict(json.loads(ARTIFACT_PATH.read_text(encoding="utf-8")))


def members(namespace: str) -> dict[str, dict[str, Any]]:
    recorded = layout()["namespacedStorageLayout"]["namespaces"][namespace]["storage"]
    return {item["label"]: item for item in recorded}


def field(word: int, item: dict[str, Any]) -> int:
    """A member's value out of its slot's word, by the offset and size the compiler recorded."""
    size = int(layout()["namespacedStorageLayout"]["types"][item["type"]]["numberOfBytes"])
    return (word >> (8 * int(item["offset"]))) & ((1 << (8 * size)) - 1)


def struct_members(type_id: str) -> dict[str, dict[str, Any]]:
    types = layout()["namespacedStorageLayout"]["types"]
    return {item["label"]: item for item in types[type_id]["members"]}


def word_at(ledger: LedgerHarness, slot: int) -> int:
    return int.from_bytes(ledger.w3.eth.get_storage_at(ledger.client.address, slot), "big")


def mapping_slot(key: bytes, slot: int) -> int:
    return int.from_bytes(keccak(key + slot.to_bytes(32, "big")), "big")


def test_the_ledger_declares_nothing_in_the_sequential_slots_its_bases_use() -> None:
    sequential = layout()["storageLayout"]["storage"]
    # Only OpenZeppelin AccessControl's role table; the pause flag, counts and totals are the ledger's.
    assert [(item["label"], item["slot"], item["offset"]) for item in sequential] == [("_roles", "0", 0)]


def test_each_namespace_sits_at_its_erc7201_root_and_none_overlaps_another() -> None:
    recorded = layout()["namespacedStorageLayout"]["namespaces"]
    assert sorted(recorded) == sorted(NAMESPACES)
    spans = []
    for namespace, entry in recorded.items():
        root = root_of(namespace)
        assert int(entry["slot"]) == root
        slots = [int(item["slot"]) for item in entry["storage"]]
        assert min(slots) == root and max(slots) < root + 256  # within the root's group of 256
        spans.append(range(root, root + 256))
    spans.sort(key=lambda span: span.start)
    assert all(a.stop <= b.start for a, b in itertools.pairwise(spans))
    assert spans[0].start > 2**64  # far from the sequential slots
    assert int(members(CORE_NAMESPACE)["players"]["slot"]) == root_of(CORE_NAMESPACE)
    assert load_artifact().players_slot == root_of(CORE_NAMESPACE)


def test_pause_flag_count_and_issued_share_one_slot_as_the_artifact_records() -> None:
    chain = members(CORE_NAMESPACE)["chain"]
    packed = struct_members(chain["type"])
    assert [(label, item["slot"], item["offset"]) for label, item in packed.items()] == [
        ("paused", "0", 0),
        ("entryCount", "0", 1),
        ("issued", "0", 9),
    ]


def test_every_namespace_holds_the_state_the_views_report(ledger: LedgerHarness) -> None:
    cid, player = ledger.campaign(), random_player()
    ledger.issue(cid, player, 700, ref="single")
    batch = rows(3, players=[player, random_player(), random_player()])
    ledger.issue_batch(cid, batch)
    record_payout(ledger.client, ledger.sender, player, 40, text_to_bytes("pay"))
    reverse_reward(ledger.client, ledger.sender, find_reward(ledger.client, 3), 5, text_to_bytes("dup"))
    expire_balance(ledger.client, ledger.sender, player, 9, text_to_bytes("exp"), text_to_bytes("stale"))
    set_paused(ledger.client, ledger.sender, True)

    core = members(CORE_NAMESPACE)
    count, head = ledger.client.chain_state()
    totals = ledger.client.totals()
    chain_word = word_at(ledger, int(core["chain"]["slot"]))
    packed = struct_members(core["chain"]["type"])
    recorded = [field(chain_word, packed[name]) for name in ("paused", "entryCount", "issued")]
    assert recorded == [1, count, totals.issued] == [1, 7, 700 + sum(r.amount for r in batch)]
    assert word_at(ledger, int(core["head"]["slot"])).to_bytes(32, "big") == head
    by_kind = [word_at(ledger, int(core["totals"]["slot"]) + kind) for kind in range(6)]
    assert by_kind == [0, 0, totals.paid, totals.reversed, totals.expired, 0] == [0, 0, 40, 5, 9, 0]
    account = word_at(ledger, mapping_slot(player, int(core["players"]["slot"])))
    state = ledger.client.player(player)
    assert (account % 2**128, account >> 128) == (state.balance, state.earned)
    references = int(core["references"]["slot"])
    commitment = word_at(ledger, mapping_slot(text_to_bytes("single"), references))
    assert commitment.to_bytes(32, "big") == ledger.client.reference_of(text_to_bytes("single")) != bytes(32)
    assert word_at(ledger, mapping_slot(text_to_bytes("pay"), references)) == 5  # a payout stores its seq

    campaign = members("rewardsledger.storage.Campaigns")["campaigns"]
    budget_word = word_at(ledger, mapping_slot(cid, int(campaign["slot"])))
    assert (budget_word % 2**128, budget_word >> 128) == (10**30, ledger.client.campaign(cid).issued)
    reversals = int(members("rewardsledger.storage.Reversals")["reversals"]["slot"])
    assert word_at(ledger, mapping_slot((3).to_bytes(32, "big"), reversals)) == 6
    assert ledger.client.reversal_of(3) == 6


def test_pausing_touches_only_the_flag_and_entries_carry_on_from_where_they_were(
    ledger: LedgerHarness,
) -> None:
    cid = ledger.campaign()
    ledger.issue_batch(cid, rows(4))
    before = (ledger.client.chain_state(), ledger.client.totals())
    chain_slot = int(members(CORE_NAMESPACE)["chain"]["slot"])
    unpaused_word = word_at(ledger, chain_slot)

    set_paused(ledger.client, ledger.sender, True)
    assert word_at(ledger, chain_slot) == unpaused_word | 1
    assert (ledger.client.chain_state(), ledger.client.totals()) == before
    set_paused(ledger.client, ledger.sender, False)
    assert word_at(ledger, chain_slot) == unpaused_word

    assert ledger.issue(cid, random_player(), 10).seq == 5
    assert ledger.client.totals().issued == before[1].issued + 10
