"""The demo's on-chain part: keys, deployment, roles, campaigns and the sample stream.

Every step checks the chain first and skips what already landed, so the demo resumes.
"""

from __future__ import annotations

import random
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from eth_utils.crypto import keccak
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn, TimeRemainingColumn

from ledger.chain.client import LedgerClient, connect
from ledger.chain.deployments import load_deployment, save_deployment
from ledger.chain.keystore import create_keystore, load_keystore, write_secret
from ledger.chain.sender import Sender
from ledger.config import Settings
from ledger.demo import seed
from ledger.encoding import text_to_bytes
from ledger.ops.batch import load_or_save_plan, make_plan, read_batch_file, run_plan
from ledger.ops.deploy import deploy_ledger
from ledger.ops.entries import (
    create_campaign,
    expire_balance,
    issue_one,
    record_payout,
    reverse_reward,
    set_role,
)
from ledger.ops.lookup import find_player_reward
from ledger.terms import save_terms


@dataclass
class DemoChain:
    client: LedgerClient
    sender: Sender
    keys: list[bytes]
    deploy_block: int


def secret_file(path: Path, size: int = 32) -> bytes:
    """A local demo secret (hex in a 0600 file), created on first use."""
    if not path.exists():
        write_secret(path, secrets.token_hex(size))
    return path.read_text(encoding="utf-8").strip().encode()


def operator_sender(cfg: Settings, url: str) -> Sender:
    password = (
        cfg.keystore_password.get_secret_value() if cfg.keystore_password
        else secret_file(cfg.data_dir / "keys" / "demo-password").decode()
    )  # fmt: skip
    if not cfg.keystore_path.exists():
        create_keystore(cfg.keystore_path, password)
    w3 = connect(url, timeout=cfg.tx_timeout)
    sender = Sender(w3, load_keystore(cfg.keystore_path, password), timeout=cfg.tx_timeout)
    if sender.balance() < 10**20:
        w3.provider.make_request("anvil_setBalance", [sender.address, hex(10**22)])  # type: ignore[arg-type]
    return sender


def ensure_ledger(cfg: Settings, sender: Sender, say: Callable[[str], None]) -> tuple[LedgerClient, int]:
    deployment = load_deployment(cfg.deployments_dir, sender.chain_id)
    if deployment is None or not sender.w3.eth.get_code(deployment.address):  # type: ignore[arg-type]
        deployment = deploy_ledger(sender)
        save_deployment(cfg.deployments_dir, deployment)
        say(f"deployed the ledger at {deployment.address} (code checked against the artifact)")
    else:
        say(f"ledger already deployed at {deployment.address}")
    client = LedgerClient(sender.w3, deployment.address)
    for role in ("issuer", "payer", "pauser"):
        if not client.has_role(role, sender.address):
            set_role(client, sender, role, sender.address, granted=True)
    return client, deployment.block_number


def ensure_campaigns(cfg: Settings, client: LedgerClient, sender: Sender, say: Callable[[str], None]) -> None:
    now = int(time.time())
    for campaign in seed.CAMPAIGNS:
        text = campaign.terms_file.read_bytes()
        save_terms(cfg.terms_dir, text)
        cid = text_to_bytes(campaign.id)
        if client.campaign(cid).exists:
            continue
        create_campaign(
            client, sender, cid, campaign.budget, keccak(text), now - 60, now + campaign.days * 86_400
        )
        say(
            f"created campaign {campaign.id}: budget {campaign.budget:,}, terms hash 0x{keccak(text).hex()[:12]}…"
        )


def issue_stream(cfg: Settings, chain: DemoChain, console: Console) -> None:
    files = {
        "welcome-bonus": seed.write_csv(cfg.data_dir / "demo" / "welcome.csv", seed.welcome_rows(chain.keys)),
        "weekly-cashback": seed.write_csv(
            cfg.data_dir / "demo" / "cashback-week-1.csv", seed.cashback_rows(chain.keys)
        ),
        "tournament-prizes": seed.write_csv(
            cfg.data_dir / "demo" / "tournament-1.csv", seed.tournament_rows(chain.keys)
        ),
    }
    columns = (TextColumn("{task.description:<18}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
    with Progress(*columns, console=console) as bar:
        for campaign, path in files.items():
            rows, digest = read_batch_file(path)
            plan = load_or_save_plan(cfg.plans_dir, make_plan(rows, digest, text_to_bytes(campaign), 500))
            task = bar.add_task(campaign, total=len(rows))

            def advance(n: int, task: TaskID = task) -> None:
                bar.advance(task, n)

            run_plan(chain.client, chain.sender, plan, rows, 32, advance)


def record_payouts(chain: DemoChain) -> int:
    """Pays out the sample payouts not yet recorded, pipelined; returns how many were sent."""
    todo = [p for p in seed.payouts(chain.keys)]
    used = chain.client.references_used([text_to_bytes(ref) for _, _, ref in todo])
    calls = [
        chain.client.encode("recordPayout", player, amount, text_to_bytes(ref))
        for (player, amount, ref), done in zip(todo, used, strict=True)
        if not done
    ]
    if calls:
        gas = chain.sender.estimate(chain.client.address, calls[0])
        for start in range(0, len(calls), 64):
            chain.sender.wait(
                [chain.sender.send(chain.client.address, c, gas) for c in calls[start : start + 64]]
            )
    return len(calls)


def reverse_and_expire(chain: DemoChain, say: Callable[[str], None]) -> None:
    """One reversal (a duplicate account's welcome bonus) and one expiry (an inactive balance)."""
    duplicate, inactive = chain.keys[-1], chain.keys[-2]
    proof = find_player_reward(chain.client, duplicate, text_to_bytes("welcome-bonus"), chain.deploy_block)
    if chain.client.reversal_of(proof.seq) == 0:
        reverse_reward(chain.client, chain.sender, proof, proof.amount, text_to_bytes("duplicate account"))
        say(f"reversed the welcome bonus of entry {proof.seq} (duplicate account)")
    ref = text_to_bytes("expiry-inactive-1")
    if not chain.client.references_used([ref])[0]:
        balance = chain.client.player(inactive).balance
        expire_balance(
            chain.client, chain.sender, inactive, balance, ref, text_to_bytes("inactive 12 months")
        )
        say(f"expired {balance} points of an inactive player")


def trickle(
    chain: DemoChain, beat: Callable[[], None], say: Callable[[str], None], every: float = 3.0
) -> None:
    """Issues a small reward every few seconds (and now and then a payout) until Ctrl-C."""
    rng = random.Random()
    cashback = text_to_bytes("weekly-cashback")
    count = 0
    while True:
        beat()
        player = rng.choice(chain.keys)
        ref = text_to_bytes(f"trickle-{time.time_ns():x}")
        amount = rng.randint(5, 500)
        result = issue_one(chain.client, chain.sender, cashback, player, amount, ref)
        count += 1
        say(f"new reward: entry {result.seq}, {amount} points to 0x{player.hex()[:12]}…")
        if count % 5 == 0 and chain.client.player(player).balance >= amount:
            ref = text_to_bytes(f"trickle-pay-{time.time_ns():x}")
            record_payout(chain.client, chain.sender, player, amount, ref)
        time.sleep(every)
