"""What the benchmarks share: a fresh ledger on a private anvil, entries issued in batches to
returning players, and throwaway PostgreSQL schemas."""

from __future__ import annotations

import secrets
import socket
import time
import uuid

from eth_account import Account
from eth_utils.crypto import keccak
from sqlalchemy import create_engine, text
from web3 import Web3

from ledger.chain.client import LedgerClient
from ledger.chain.sender import Sender
from ledger.encoding import Row, pack_rows
from ledger.ops.deploy import deploy_ledger
from ledger.ops.entries import create_campaign, set_role

ROWS_PER_BATCH = 500
IN_FLIGHT = 32  # batch transactions sent before waiting for their receipts


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def deploy(w3: Web3) -> tuple[LedgerClient, Sender, bytes, int]:
    """A fresh ledger with an issuer and an open campaign; returns its deployment block too."""
    account = Account.create()
    w3.provider.make_request("anvil_setBalance", [account.address, hex(10**24)])  # type: ignore[arg-type]
    sender = Sender(w3, account, timeout=600)
    deployment = deploy_ledger(sender)
    client = LedgerClient(w3, deployment.address)
    set_role(client, sender, "issuer", account.address, granted=True)
    now = int(w3.eth.get_block("latest")["timestamp"])
    campaign = keccak(b"bench")
    create_campaign(client, sender, campaign, 2**127, keccak(b"terms"), now - 10, now + 10**8)
    return client, sender, campaign, deployment.block_number


def generate(client: LedgerClient, sender: Sender, campaign: bytes, entries: int, players: int) -> float:
    """Issues `entries` rewards in batches of 500 to `players` returning players; returns seconds.

    On an automining node each batch gets a block of its own; on a node with one-second blocks
    the batches in flight share blocks."""
    keys = [secrets.token_bytes(32) for _ in range(players)]
    started = time.perf_counter()
    pending: list[bytes] = []
    for first in range(0, entries, ROWS_PER_BATCH):
        rows = [
            Row(keys[(first + i) % players], 100 + i, secrets.token_bytes(20)) for i in range(ROWS_PER_BATCH)
        ]
        data = client.encode("issueBatch", secrets.token_bytes(32), campaign, pack_rows(rows))
        pending.append(sender.send(client.address, data, 25_000_000))
        if len(pending) == IN_FLIGHT:
            sender.wait(pending)
            pending = []
    sender.wait(pending)
    return time.perf_counter() - started


def fresh_pg_schema(base: str) -> tuple[str, str]:
    """A new empty schema on the server at `base`; returns it and a URL that uses it."""
    schema = f"bench_{uuid.uuid4().hex[:10]}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    admin.dispose()
    return schema, f"{base}{'&' if '?' in base else '?'}options=-csearch_path%3D{schema}"


def drop_pg_schema(base: str, schema: str) -> None:
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()
