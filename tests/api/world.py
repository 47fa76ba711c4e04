"""A small ledger world on the test anvil, with every entry kind, and mirrors of it in real databases.

Built once per session: campaigns with and without kept terms, single and batch issues (a player
twice in one batch, a player only mid-batch), a payout, a reversal, an expiry, a closed campaign,
and a "whale" with thousands of entries for pagination.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from pathlib import Path

from eth_account.signers.local import LocalAccount
from eth_utils.crypto import keccak
from web3 import Web3

from ledger.chain.client import LedgerClient
from ledger.chain.sender import Sender
from ledger.db.engine import make_engine
from ledger.encoding import Row, pack_rows, text_to_bytes
from ledger.indexer.service import catch_up
from ledger.ops.entries import (
    close_campaign,
    create_campaign,
    expire_balance,
    issue_one,
    record_payout,
    reverse_reward,
)
from ledger.ops.lookup import find_reward
from ledger.terms import save_terms
from tests.conftest import deploy_on

WHALE_BATCHES = 3
WHALE_ROWS = 1000


@dataclass
class World:
    w3: Web3
    client: LedgerClient
    deploy_block: int
    terms_dir: Path
    players: dict[str, bytes] = field(default_factory=dict)
    campaigns: dict[str, bytes] = field(default_factory=dict)
    terms: dict[str, bytes] = field(default_factory=dict)
    operator: str = ""

    @property
    def address(self) -> str:
        return self.client.address

    def key(self, name: str) -> str:
        return "0x" + self.players[name].hex()


def _player(name: str) -> bytes:
    return keccak(text=f"test-player:{name}:{uuid.uuid4()}")


def build_world(w3: Web3, operator: LocalAccount, terms_dir: Path, whale_rows: int = WHALE_ROWS) -> World:
    ledger = deploy_on(w3, operator, roles=("issuer", "payer"))
    client, sender = ledger.client, ledger.sender
    world = World(w3, client, ledger.deploy_block, terms_dir, operator=operator.address.lower())
    world.players = {name: _player(name) for name in ("alice", "bob", "carol", "whale")}
    now = int(w3.eth.get_block("latest")["timestamp"])
    for name, kept in (("welcome", True), ("summer", True), ("unkept", False)):
        terms = f"{name} campaign terms: rewards are credits, not cash.\n".encode()
        cid = text_to_bytes(name)
        create_campaign(client, sender, cid, 10**24, keccak(terms), now - 60, now + 10**8)
        world.campaigns[name], world.terms[name] = cid, terms
        if kept:
            save_terms(terms_dir, terms)
    _issue_entries(world, sender, whale_rows)
    w3.provider.make_request("anvil_mine", [hex(20)])  # type: ignore[arg-type]  # bury the world under reorg depth
    return world


def _batch(world: World, sender: Sender, campaign: str, rows: list[Row], batch_id: bytes) -> None:
    data = world.client.encode("issueBatch", batch_id, world.campaigns[campaign], pack_rows(rows))
    sender.transact(world.client.address, data)


def _issue_entries(world: World, sender: Sender, whale_rows: int) -> None:
    c, p, cl = world.campaigns, world.players, world.client
    first = issue_one(cl, sender, c["welcome"], p["alice"], 100, text_to_bytes("a-1"))
    issue_one(cl, sender, c["summer"], p["alice"], 250, text_to_bytes("a-2"))
    rows = [Row(p["alice"], 40, b"b1-alice-1"), Row(p["bob"], 60, b"b1-bob"), Row(p["carol"], 70, b"b1-carol"),
            Row(p["alice"], 15, b"b1-alice-2"), Row(p["bob"], 5, b"b1-bob-2")]  # fmt: skip
    _batch(world, sender, "welcome", rows, text_to_bytes("batch-1"))
    record_payout(cl, sender, p["alice"], 50, text_to_bytes("pay-a-1"))
    reverse_reward(cl, sender, find_reward(cl, first.seq, world.deploy_block), 30, text_to_bytes("fraud"))
    expire_balance(cl, sender, p["alice"], 5, text_to_bytes("exp-a-1"), text_to_bytes("inactive"))
    record_payout(cl, sender, p["bob"], 10, text_to_bytes("pay-b-1"))
    issue_one(cl, sender, c["unkept"], p["carol"], 7, text_to_bytes("c-1"))
    close_campaign(cl, sender, c["unkept"])
    for b in range(WHALE_BATCHES):
        whale = [Row(p["whale"], 1 + (i % 97), f"w{b}-{i}".encode()) for i in range(whale_rows)]
        _batch(world, sender, "summer", whale, text_to_bytes(f"whale-{b}"))
        issue_one(cl, sender, c["welcome"], p["bob"], 3 + b, text_to_bytes(f"b-{b}"))


def index_into(world: World, url: str) -> None:
    """Backfills a mirror of the world's ledger into the database at `url`."""
    engine = make_engine(url)
    try:
        catch_up(world.w3, world.address, engine, start_block=world.deploy_block)
    finally:
        engine.dispose()
