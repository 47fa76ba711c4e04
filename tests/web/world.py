"""A small, lifelike ledger for the browser tests: three campaigns over two and a half weeks of chain
time, daily cashback batches, singles, tournament prizes, payouts, a reversal and an expiry.

"alice" has more entries than one page of the player page holds, of every kind, including batch
rows. The chain's clock is moved forward a day at a time (only forward: other tests read `now`
from the latest block).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from pathlib import Path

from eth_account import Account
from eth_account.signers.local import LocalAccount
from eth_utils.crypto import keccak
from web3 import Web3

from ledger.chain.sender import Sender
from ledger.encoding import Row, pack_rows, text_to_bytes
from ledger.ops.entries import create_campaign, expire_balance, issue_one, record_payout, reverse_reward
from ledger.ops.lookup import find_reward
from ledger.terms import save_terms
from tests.api.world import World
from tests.conftest import deploy_on, fund

DAY = 86_400
CASHBACK_DAYS = 16
TERMS = {
    "welcome": (
        "Welcome bonus\n\n1. New players receive 500 credits once their account is verified.\n"
        "2. Credits are not cash and expire after 90 days without play.\n"
        "3. One welcome bonus per person.\n"
    ),
    "cashback": (
        "Daily cashback\n\n1. Each day, 5% of the previous day's net play is credited back.\n"
        "2. Cashback found to come from bonus abuse may be reversed.\n"
    ),
    "tournament": (
        "Spring tournament\n\n1. Prizes: 5,000 credits (1st), 2,500 (2nd), 1,000 (3rd to 10th).\n"
        "2. Prizes are credited within 48 hours of the final.\n"
    ),
}
BUDGETS = {"welcome": 20_000, "cashback": 30_000, "tournament": 15_000}


@dataclass
class WebWorld(World):
    """The world, with the operator's sender kept for tests that add entries later."""

    sender: Sender | None = None


def _advance(w3: Web3, seconds: int) -> None:
    w3.provider.make_request("evm_increaseTime", [seconds])  # type: ignore[arg-type]
    w3.provider.make_request("evm_mine", [])  # type: ignore[arg-type]


def _batch(world: World, sender: Sender, campaign: str, rows: list[Row], batch_id: str) -> int:
    """Issues a batch and returns the seq of its first row."""
    count, _ = world.client.chain_state()
    data = world.client.encode(
        "issueBatch", text_to_bytes(batch_id), world.campaigns[campaign], pack_rows(rows)
    )
    sender.transact(world.client.address, data)
    return count + 1


def build_web_world(w3: Web3, terms_dir: Path) -> WebWorld:
    operator: LocalAccount = Account.create()  # its own account: no nonce shared with other fixtures
    fund(w3, operator.address)
    ledger = deploy_on(w3, operator, roles=("issuer", "payer"))
    client, sender = ledger.client, ledger.sender
    world = WebWorld(
        w3, client, ledger.deploy_block, terms_dir, operator=operator.address.lower(), sender=sender
    )
    world.players = {
        name: keccak(text=f"web-player:{name}:{secrets.token_hex(8)}") for name in ("alice", "bob", "carol")
    }
    crowd = [keccak(text=f"web-crowd:{i}:{secrets.token_hex(8)}") for i in range(12)]
    now = int(w3.eth.get_block("latest")["timestamp"])
    for name, text in TERMS.items():
        terms = text.encode()
        cid = text_to_bytes(name)
        create_campaign(client, sender, cid, BUDGETS[name], keccak(terms), now - 60, now + 10**8)
        world.campaigns[name], world.terms[name] = cid, terms
        save_terms(terms_dir, terms)
    _history(world, sender, crowd)
    _advance(w3, 600)
    w3.provider.make_request("anvil_mine", [hex(5)])  # type: ignore[arg-type]
    return world


def _history(world: World, sender: Sender, crowd: list[bytes]) -> None:
    c, p, cl, w3 = world.campaigns, world.players, world.client, world.w3
    for name in ("alice", "bob", "carol"):
        issue_one(cl, sender, c["welcome"], p[name], 500, text_to_bytes(f"welcome-{name}"))
    reversible = 0
    for day in range(1, CASHBACK_DAYS + 1):
        _advance(w3, DAY)
        rows = [
            Row(p["alice"], 20 + 7 * day, f"cb{day}-alice".encode()),
            Row(p["bob"], 15 + 3 * day, f"cb{day}-bob".encode()),
        ]
        rows += [
            Row(crowd[(day + i) % len(crowd)], 10 + 11 * i + day, f"cb{day}-{i}".encode()) for i in range(6)
        ]
        first = _batch(world, sender, "cashback", rows, f"cashback-day-{day}")
        if day == 3:
            reversible = first  # alice's row, reversed later for bonus abuse
        if day == 6:
            record_payout(cl, sender, p["alice"], 300, text_to_bytes("withdrawal-1001"))
        if day == 8:
            prizes = [Row(p["carol"], 5000, b"final-1st"), Row(p["alice"], 2500, b"final-2nd")]
            prizes += [Row(crowd[i], 1000, f"final-{i + 3}th".encode()) for i in range(4)]
            _batch(world, sender, "tournament", prizes, "spring-final")
        if day == 9:
            reverse_reward(
                cl, sender, find_reward(cl, reversible, world.deploy_block), 41, text_to_bytes("bonus abuse")
            )
        if day == 11:
            record_payout(cl, sender, p["alice"], 1200, text_to_bytes("withdrawal-1002"))
            record_payout(cl, sender, p["carol"], 4000, text_to_bytes("withdrawal-1003"))
        if day == 14:
            expire_balance(
                cl, sender, p["bob"], 100, text_to_bytes("expiry-bob-q1"), text_to_bytes("inactive 90 days")
            )
            expire_balance(
                cl,
                sender,
                p["alice"],
                50,
                text_to_bytes("expiry-alice-q1"),
                text_to_bytes("inactive 90 days"),
            )
        if day == 15:
            record_payout(cl, sender, p["alice"], 400, text_to_bytes("withdrawal-1004"))
