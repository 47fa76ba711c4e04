"""The demo's on-chain part: its node, keys, deployment, roles, campaigns and the trickle.

Every step checks the chain first and skips what already landed, so the demo resumes.
"""

from __future__ import annotations

import itertools
import os
import random
import secrets
import time
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from pathlib import Path

from eth_utils.crypto import keccak

from ledger.chain.client import LedgerClient, connect
from ledger.chain.deployments import load_deployment, save_deployment
from ledger.chain.keystore import create_keystore, load_keystore, write_secret
from ledger.chain.node import LocalNode
from ledger.chain.sender import Sender
from ledger.config import Settings
from ledger.demo import seed
from ledger.encoding import text_to_bytes
from ledger.errors import LockBusy
from ledger.ops.deploy import deploy_ledger
from ledger.ops.entries import create_campaign, issue_one, record_payout, set_role
from ledger.ops.lock import WriteLock
from ledger.terms import save_terms

Say = Callable[[str], None]
Guard = Callable[[], AbstractContextManager[None]]  # a stretch a Ctrl-C must not cut in two

TRICKLE_TIMEOUT = 15.0  # seconds a trickled reward may take to be mined (blocks come every second)
LINKED_EVERY = 10  # every tenth trickled reward goes to the player whose page the demo links


@dataclass
class DemoNode(LocalNode):
    """The managed anvil; a fresh one starts its chain `history_days` in the past, so that the
    demo's history can spread over weeks and end now."""

    history_days: int = 0

    def command(self) -> list[str]:
        cmd = super().command()
        if self.history_days and not self.state_file.exists():
            cmd += ["--timestamp", str(int(time.time()) - self.history_days * 86_400)]
        return cmd


@dataclass
class DemoChain:
    client: LedgerClient
    sender: Sender
    keys: list[bytes]  # the crowd
    regulars: list[bytes]  # the players with long histories (none on an earlier demo's data)
    deploy_block: int

    @property
    def featured(self) -> bytes:
        """The player whose page the demo links."""
        return self.regulars[0] if self.regulars else self.keys[0]


def secret_file(path: Path, size: int = 32, guard: Guard = nullcontext) -> bytes:
    """A local demo secret (hex in a 0600 file), created on first use, never half-written."""
    if not path.exists():
        tmp = path.with_name(path.name + ".tmp")
        tmp.unlink(missing_ok=True)
        with guard():
            write_secret(tmp, secrets.token_hex(size))
            os.replace(tmp, path)
    return path.read_text(encoding="utf-8").strip().encode()


def keystore_password(cfg: Settings, guard: Guard = nullcontext) -> str:
    """The password the settings give, else the demo's own (data/keys/demo-password)."""
    if cfg.keystore_password is not None:
        return cfg.keystore_password.get_secret_value()
    if cfg.keystore_password_file is not None and cfg.keystore_password_file.exists():
        return cfg.keystore_password_file.read_text(encoding="utf-8").rstrip("\r\n")
    return secret_file(cfg.data_dir / "keys" / "demo-password", guard=guard).decode()


def operator_sender(cfg: Settings, url: str, guard: Guard = nullcontext) -> Sender:
    password = keystore_password(cfg, guard)
    if not cfg.keystore_path.exists():  # made aside, then moved in: never a half-written key
        tmp = cfg.keystore_path.with_name(cfg.keystore_path.name + ".tmp")
        tmp.unlink(missing_ok=True)
        with guard():
            create_keystore(tmp, password)
            os.replace(tmp, cfg.keystore_path)
    w3 = connect(url, timeout=cfg.tx_timeout)
    sender = Sender(w3, load_keystore(cfg.keystore_path, password), timeout=cfg.tx_timeout)
    if sender.balance() < 10**20:
        w3.provider.make_request("anvil_setBalance", [sender.address, hex(10**22)])  # type: ignore[arg-type]
    return sender


def ensure_ledger(
    cfg: Settings, sender: Sender, say: Say, guard: Guard = nullcontext
) -> tuple[LedgerClient, int]:
    deployment = load_deployment(cfg.deployments_dir, sender.chain_id)
    if deployment is None or not sender.w3.eth.get_code(deployment.address):  # type: ignore[arg-type]
        deployment = deploy_ledger(sender)
        with guard():
            save_deployment(cfg.deployments_dir, deployment)
        say(f"deployed the ledger at {deployment.address} (code checked against the artifact)")
    else:
        say(f"ledger already deployed at {deployment.address}")
    client = LedgerClient(sender.w3, deployment.address)
    for role in ("issuer", "payer", "pauser"):
        if not client.has_role(role, sender.address):
            set_role(client, sender, role, sender.address, granted=True)
    return client, deployment.block_number


def ensure_campaigns(cfg: Settings, client: LedgerClient, sender: Sender, say: Say) -> None:
    now = int(client.w3.eth.get_block("latest")["timestamp"])  # the chain's time, not the wall's
    for campaign in seed.CAMPAIGNS:
        text = campaign.terms_file.read_bytes()
        save_terms(cfg.terms_dir, text)
        cid = text_to_bytes(campaign.id)
        if client.campaign(cid).exists:
            continue
        budget = campaign.budget_for(cfg.demo_players)
        create_campaign(client, sender, cid, budget, keccak(text), now - 60, now + campaign.days * 86_400)
        say(f"created campaign {campaign.id}: budget {budget:,}, terms hash 0x{keccak(text).hex()[:12]}…")


def trickle(
    chain: DemoChain, locks: Path, beat: Callable[[], None], say: Say, doing: Say, every: float = 3.0
) -> None:
    """Issues a small reward every few seconds (now and then to the player whose page the demo
    links, now and then with a payout) until Ctrl-C. Each write holds the ledger's write lock in
    `locks`, as every `ledger` command does, so an operator's run beside the demo is never
    interleaved with it; while the operator holds the lock, the trickle skips its beat. A write
    that fails is reported once and the trickle goes on."""
    rng = random.Random()
    failures = 0
    busy = False
    for count in itertools.count(1):
        beat()
        player = chain.featured if count % LINKED_EVERY == 1 else rng.choice(chain.keys)
        doing("sending a reward")
        lock = WriteLock(locks, chain.client.chain_id, chain.client.address, wait=0)
        try:
            with lock:
                line = _reward(chain, player, rng.randint(5, 500), pay=count % 5 == 0)
        except LockBusy as exc:
            if not busy:
                say(f"the trickle waits: {exc}")
            busy = True
            doing("waiting for the next reward")
            time.sleep(every)
            continue
        except Exception as exc:  # any failed write: the next beat tries again
            failures += 1
            if failures == 1:
                say(f"a trickled write failed ({_first_line(exc)}); the trickle goes on every {every:g} s")
        else:
            if failures:
                say(f"the trickle's writes land again ({failures} in a row had failed)")
            failures = 0
            busy = False
            say(line)
        doing("waiting for the next reward")
        time.sleep(every)


def _reward(chain: DemoChain, player: bytes, amount: int, pay: bool) -> str:
    # A fresh sender reads the pending nonce again: the operator may have sent with this key since.
    old = chain.sender
    sender = Sender(old.w3, old.account, timeout=TRICKLE_TIMEOUT)
    ref = text_to_bytes(f"trickle-{time.time_ns():x}")
    result = issue_one(chain.client, sender, text_to_bytes("weekly-cashback"), player, amount, ref)
    line = f"new reward: entry {result.seq}, {amount} points to 0x{player.hex()[:12]}…"
    if pay and chain.client.player(player).balance >= amount:
        paid = record_payout(
            chain.client, sender, player, amount, text_to_bytes(f"trickle-pay-{time.time_ns():x}")
        )
        line += f"; payout: entry {paid.seq}"
    return line


def _first_line(exc: Exception) -> str:
    lines = str(exc).strip().splitlines()
    return lines[0] if lines else type(exc).__name__
