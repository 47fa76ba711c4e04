"""Player routes against a mirror the real indexer built from anvil: balance, history, entries, proofs."""

from __future__ import annotations

from typing import Any

import httpx
from sqlalchemy import select

from api.models import BalanceProofPublic, BalancePublic, EntryPublic, HistoryPublic
from ledger.artifact import player_slot
from ledger.db import tables as t
from ledger.db.engine import make_engine
from ledger.verify.proofs import header_hash, hex_bytes, verify_account, verify_storage
from tests.api.world import WHALE_BATCHES, WHALE_ROWS, World


def sql_entries(url: str, player: str) -> list[Any]:
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            return list(
                conn.execute(select(t.entries).where(t.entries.c.player == player).order_by(t.entries.c.seq))
            )
    finally:
        engine.dispose()


async def all_pages(client: httpx.AsyncClient, path: str, **params: Any) -> list[dict[str, Any]]:
    entries: list[dict[str, Any]] = []
    cursor = None
    while True:
        reply = await client.get(path, params={**params, **({"cursor": cursor} if cursor else {})})
        assert reply.status_code == 200, reply.text
        page = HistoryPublic.model_validate(reply.json())
        entries += [e.model_dump() for e in page.entries]
        cursor = page.next_cursor
        if cursor is None:
            return entries


async def test_balance_matches_the_contract_and_carries_its_block(
    client: httpx.AsyncClient, world: World
) -> None:
    reply = await client.get(f"/v1/players/{world.key('alice')}/balance")
    assert reply.status_code == 200
    balance = BalancePublic.model_validate(reply.json())
    chain = world.client.player(world.players["alice"], block=balance.as_of_block)
    assert (int(balance.available), int(balance.earned)) == (chain.balance, chain.earned) == (320, 405)
    assert (balance.paid, balance.reversed, balance.expired) == ("50", "30", "5")
    assert balance.as_of_block_hash == world.w3.eth.get_block(balance.as_of_block)["hash"].to_0x_hex()
    assert balance.confirmations >= 1 and balance.contract.lower() == world.address.lower()


async def test_history_is_newest_first_and_equals_the_mirrored_rows(
    client: httpx.AsyncClient, world: World, mirror_url: str
) -> None:
    reply = await client.get(f"/v1/players/{world.key('alice')}/history")
    page = HistoryPublic.model_validate(reply.json())
    rows = sql_entries(mirror_url, world.key("alice"))
    assert [e.seq for e in page.entries] == [r.seq for r in reversed(rows)]
    for entry, row in zip(page.entries, reversed(rows), strict=True):
        v = entry.verification
        assert (entry.amount, entry.kind, entry.ref, v.tx_hash, v.block_hash, v.log_index, v.head) == (
            str(row.amount),
            row.kind,
            row.ref,
            row.tx_hash,
            row.block_hash,
            row.log_index,
            row.head,
        )
        assert v.chain_id == 31337 and v.contract.lower() == world.address.lower()


async def test_every_entry_kind_names_its_event_and_batch_rows_their_index(
    client: httpx.AsyncClient, world: World
) -> None:
    entries = await all_pages(client, f"/v1/players/{world.key('alice')}/history", order="asc")
    events = [(e["kind"], e["verification"]["event"], e["verification"]["batch_index"]) for e in entries]
    assert events == [
        ("issued", "RewardIssued", None), ("issued", "RewardIssued", None), ("issued", "BatchIssued", 0),
        ("issued", "BatchIssued", 3), ("paid", "PayoutRecorded", None), ("reversed", "RewardReversed", None),
        ("expired", "BalanceExpired", None),
    ]  # fmt: skip
    reversal = entries[5]
    assert reversal["reward_seq"] == entries[0]["seq"] and reversal["aux"].startswith("0x" + b"fraud".hex())


async def test_pagination_over_thousands_of_entries_has_no_gaps_or_repeats(
    client: httpx.AsyncClient, world: World, mirror_url: str
) -> None:
    expected = [r.seq for r in sql_entries(mirror_url, world.key("whale"))]
    assert len(expected) == WHALE_BATCHES * WHALE_ROWS
    newest_first = await all_pages(client, f"/v1/players/{world.key('whale')}/history", limit=500)
    oldest_first = await all_pages(
        client, f"/v1/players/{world.key('whale')}/history", limit=333, order="asc"
    )
    assert [e["seq"] for e in newest_first] == expected[::-1]
    assert [e["seq"] for e in oldest_first] == expected


async def test_history_filters_by_kind_campaign_blocks_and_time(
    client: httpx.AsyncClient, world: World
) -> None:
    path = f"/v1/players/{world.key('alice')}/history"
    everything = await all_pages(client, path, order="asc")
    paid = await all_pages(client, path, kind="paid")
    summer = await all_pages(client, path, campaign="summer")
    assert [e["kind"] for e in paid] == ["paid"] and [e["amount"] for e in summer] == ["250"]
    third = everything[2]["verification"]["block_number"]
    ranged = await all_pages(client, path, from_block=third, to_block=third, order="asc")
    assert [e["seq"] for e in ranged] == [
        e["seq"] for e in everything if e["verification"]["block_number"] == third
    ]
    first_time = everything[0]["block_time"]
    timed = await all_pages(client, path, to_time=first_time)
    assert timed and all(e["block_time"] <= first_time for e in timed)
    iso = await all_pages(client, path, from_time="2100-01-01T00:00:00Z")
    assert iso == []


async def test_one_entry_by_sequence_number_or_reference(client: httpx.AsyncClient, world: World) -> None:
    history = await all_pages(client, f"/v1/players/{world.key('alice')}/history", order="asc")
    first = history[0]
    by_seq = await client.get(f"/v1/players/{world.key('alice')}/entries/{first['seq']}")
    by_ref = await client.get(f"/v1/players/{world.key('alice')}/entries/by-ref", params={"ref": "a-1"})
    row = await client.get(f"/v1/players/{world.key('alice')}/entries/by-ref", params={"ref": "b1-alice-2"})
    assert EntryPublic.model_validate(by_seq.json()).model_dump() == first
    assert by_ref.json() == by_seq.json()
    assert row.json()["verification"]["batch_index"] == 3 and row.json()["amount"] == "15"


async def test_an_entry_of_another_player_is_not_found(client: httpx.AsyncClient, world: World) -> None:
    bobs = await all_pages(client, f"/v1/players/{world.key('bob')}/history")
    reply = await client.get(f"/v1/players/{world.key('alice')}/entries/{bobs[0]['seq']}")
    assert reply.status_code == 404 and reply.json()["error"] == "not_found"
    assert f"sequence number {bobs[0]['seq']}" in reply.json()["message"]


async def test_balance_proof_verifies_against_the_blocks_state_root(
    client: httpx.AsyncClient, world: World
) -> None:
    reply = await client.get(f"/v1/players/{world.key('alice')}/proof")
    proof = BalanceProofPublic.model_validate(reply.json())
    block = world.w3.eth.get_block(proof.block_number)
    assert proof.block_hash == block["hash"].to_0x_hex() and header_hash(proof.header) == hex_bytes(
        proof.block_hash
    )
    account = verify_account(bytes(block["stateRoot"]), hex_bytes(world.address), proof.account_proof)
    assert account.storage_root == hex_bytes(proof.storage_hash)
    word = verify_storage(
        account.storage_root, player_slot(world.players["alice"]), proof.storage_proof.proof
    )
    assert (word & (2**128 - 1), word >> 128) == (int(proof.balance), int(proof.earned)) == (320, 405)


async def test_balance_proof_at_an_earlier_block_shows_the_balance_then(
    client: httpx.AsyncClient, world: World
) -> None:
    history = await all_pages(client, f"/v1/players/{world.key('alice')}/history", order="asc")
    first_block = history[0]["verification"]["block_number"]
    reply = await client.get(f"/v1/players/{world.key('alice')}/proof", params={"block": first_block})
    assert reply.status_code == 200
    assert (reply.json()["block_number"], reply.json()["balance"]) == (first_block, "100")
    future = await client.get(f"/v1/players/{world.key('alice')}/proof", params={"block": 10**9})
    assert future.status_code == 404 and "does not exist" in future.json()["message"]
