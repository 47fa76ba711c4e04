"""The whole flow on a real Hardhat node: operate, check against the contract, index, reconcile, verify."""

from __future__ import annotations

import secrets
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from eth_account.signers.local import LocalAccount
from eth_utils.crypto import keccak
from sqlalchemy import update
from web3 import Web3

from api.main import create_app
from ledger.audit.reconcile import reconcile
from ledger.chain.hardhat import EIP_7825_TX_GAS_CAP, HardhatNode
from ledger.config import Settings
from ledger.db import tables as t
from ledger.db.engine import make_engine
from ledger.encoding import Row, text_to_bytes
from ledger.errors import ContractRevert
from ledger.events import EntryEvent, decode_log, entries_of
from ledger.hashchain import EntryKind, chain_head
from ledger.indexer.service import catch_up
from ledger.ops.entries import EntryResult, expire_balance, record_payout, reverse_reward
from ledger.ops.lookup import find_reward
from ledger.verify import LedgerApi, Rpc, verify_player
from tests.conftest import LedgerHarness, deploy_on, random_player
from tests.hardhat.conftest import rpc
from tests.verify.server import serving

BATCH_ROWS = 500  # the operator's default rows per batch transaction


@dataclass
class Flow:
    """A ledger on Hardhat after a campaign, two single rewards, a batch, a payout, a reversal, an expiry."""

    ledger: LedgerHarness
    campaign: bytes
    alice: bytes
    bob: bytes
    rows: list[Row]
    block_after_singles: int
    first: EntryResult
    payout: EntryResult
    reversal: EntryResult
    expiry: EntryResult
    batch_gas: int


@pytest.fixture(scope="module")
def flow(hardhat_w3: Web3, hardhat_operator: LocalAccount) -> Flow:
    ledger = deploy_on(hardhat_w3, hardhat_operator)
    client, sender = ledger.client, ledger.sender
    campaign = ledger.campaign("welcome", budget=10**27, terms=b"welcome bonus terms v1")
    alice, bob = random_player(), random_player()
    first = ledger.issue(campaign, alice, 700, ref="signup-alice")
    ledger.issue(campaign, bob, 300, ref="signup-bob")
    block_after_singles = int(hardhat_w3.eth.block_number)
    rows = [
        Row(alice if i == 0 else random_player(), 10 + i, secrets.token_bytes(20)) for i in range(BATCH_ROWS)
    ]
    batch_gas = ledger.issue_batch(campaign, rows)
    payout = record_payout(client, sender, alice, 500, text_to_bytes("withdrawal-1"))
    row_one = find_reward(client, 4, ledger.deploy_block)  # the batch's second row: 11 units
    reversal = reverse_reward(client, sender, row_one, 11, text_to_bytes("fraud"))
    expiry = expire_balance(client, sender, bob, 100, text_to_bytes("expiry-1"), text_to_bytes("inactive"))
    return Flow(
        ledger, campaign, alice, bob, rows, block_after_singles, first, payout, reversal, expiry, batch_gas
    )


def mirrored_entries(ledger: LedgerHarness) -> list[EntryEvent]:
    """Every entry the ledger's logs record, read with one eth_getLogs range from its deployment."""
    spec = {"address": ledger.client.address, "fromBlock": hex(ledger.deploy_block), "toBlock": "latest"}
    logs: list[dict[str, Any]] = rpc(ledger.w3, "eth_getLogs", [spec])["result"]
    items = [item for raw in logs for item in entries_of(decode_log(raw))]
    return sorted(items, key=lambda item: item.entry.seq)


@pytest.mark.slow
def test_the_whole_operator_flow_on_hardhat_matches_the_contract_and_its_hash_chain(flow: Flow) -> None:
    client = flow.ledger.client
    assert flow.first.seq == 1
    assert (flow.payout.seq, flow.reversal.seq, flow.expiry.seq) == (
        BATCH_ROWS + 3,
        BATCH_ROWS + 4,
        BATCH_ROWS + 5,
    )
    assert flow.batch_gas < EIP_7825_TX_GAS_CAP

    # Everything the logs say folds into the head the contract holds.
    entries = mirrored_entries(flow.ledger)
    count, head = client.chain_state()
    assert [item.entry.seq for item in entries] == list(range(1, count + 1))
    assert count == BATCH_ROWS + 5
    assert chain_head(item.entry for item in entries) == head == flow.expiry.head
    kinds = [item.entry.kind for item in entries]
    assert kinds[-3:] == [EntryKind.PAID, EntryKind.REVERSED, EntryKind.EXPIRED]

    # Balances and totals recomputed from the entries equal the contract's.
    balances: dict[bytes, int] = defaultdict(int)
    sums: dict[EntryKind, int] = defaultdict(int)
    for item in entries:
        sign = 1 if item.entry.kind is EntryKind.ISSUED else -1
        balances[item.entry.player] += sign * item.entry.amount
        sums[item.entry.kind] += item.entry.amount
    for player, balance in balances.items():
        assert client.player(player).balance == balance
    assert client.player(flow.alice).balance == 700 + 10 - 500
    assert client.player(flow.alice).earned == 710
    assert client.player(flow.bob).balance == 200
    totals = client.totals()
    issued = 1000 + sum(row.amount for row in flow.rows)
    assert (totals.issued, totals.paid, totals.reversed, totals.expired) == (issued, 500, 11, 100)
    assert totals.issued == sums[EntryKind.ISSUED] and totals.outstanding == sum(balances.values())
    assert client.campaign(flow.campaign).issued == issued
    assert client.campaign(flow.campaign).terms_hash == keccak(b"welcome bonus terms v1")

    # Hardhat keeps every past state: reads at an older block see the ledger as it was then.
    assert client.chain_state(block=flow.block_after_singles)[0] == 2
    assert client.totals(block=flow.block_after_singles).issued == 1000


@pytest.fixture
def mirror(flow: Flow, tmp_path: Path) -> Iterator[str]:
    """A fresh SQLite mirror of the flow's ledger, filled by the indexer from the Hardhat node."""
    url = f"sqlite:///{tmp_path / 'mirror.db'}"
    engine = make_engine(url)
    try:
        stats = catch_up(
            flow.ledger.w3, flow.ledger.client.address, engine, start_block=flow.ledger.deploy_block
        )
        assert stats.entries == BATCH_ROWS + 5
    finally:
        engine.dispose()
    yield url


def verify_on_hardhat(flow: Flow, hardhat: HardhatNode, url: str, tmp_path: Path, player: bytes) -> list[str]:
    """What `ledger verify` finds wrong when the API serves the mirror at `url`, checked on Hardhat."""
    settings = Settings(
        database_url=url, rpc_url=hardhat.url, data_dir=tmp_path, contract_address=flow.ledger.client.address
    )
    with serving(create_app(settings)) as base:
        api, node = LedgerApi(base), Rpc(hardhat.url)
        try:
            report = verify_player(api, node, player, flow.ledger.client.address)
        finally:
            api.close()
            node.close()
    return report.problems


@pytest.mark.slow
def test_a_mirror_of_the_hardhat_chain_reconciles_and_its_players_verify(
    flow: Flow, mirror: str, hardhat: HardhatNode, tmp_path: Path
) -> None:
    engine = make_engine(mirror)
    try:
        report = reconcile(flow.ledger.client, engine)
    finally:
        engine.dispose()

    assert report.ok, report.differences
    assert (report.chain_entries, report.mirror_entries) == (BATCH_ROWS + 5, BATCH_ROWS + 5)
    assert report.mirror_head == "0x" + flow.expiry.head.hex()
    batch_player = flow.rows[1].player  # the reversed row
    for player in (flow.alice, flow.bob, batch_player):
        assert verify_on_hardhat(flow, hardhat, mirror, tmp_path, player) == []


@pytest.mark.slow
def test_a_tampered_mirror_fails_reconciliation_and_verification_on_hardhat(
    flow: Flow, mirror: str, hardhat: HardhatNode, tmp_path: Path
) -> None:
    engine = make_engine(mirror)
    try:
        with engine.begin() as conn:
            conn.execute(update(t.entries).where(t.entries.c.seq == flow.first.seq).values(amount=701))
        report = reconcile(flow.ledger.client, engine)
    finally:
        engine.dispose()

    assert not report.ok
    assert report.first_divergent_seq == flow.first.seq
    assert verify_on_hardhat(flow, hardhat, mirror, tmp_path, flow.alice) != []
    assert verify_on_hardhat(flow, hardhat, mirror, tmp_path, flow.bob) == []


def test_a_refusal_on_hardhat_comes_back_as_the_contracts_named_error(hardhat_ledger: LedgerHarness) -> None:
    ledger = hardhat_ledger
    campaign = ledger.campaign()
    player = random_player()
    ledger.issue(campaign, player, 50, ref="small")
    nonce = ledger.w3.eth.get_transaction_count(ledger.account.address)

    with pytest.raises(ContractRevert) as refused:
        record_payout(ledger.client, ledger.sender, player, 51, text_to_bytes("too-much"))
    with pytest.raises(ContractRevert) as reused:
        ledger.issue(campaign, player, 1, ref="small")

    assert refused.value.name == "PlayerInsufficientBalance"
    assert refused.value.args_by_name["balance"] == 50
    assert reused.value.name == "LedgerReferenceUsed"
    assert ledger.w3.eth.get_transaction_count(ledger.account.address) == nonce  # nothing was sent
