"""Shared fixtures: a real anvil on a free port, a freshly deployed ledger, real databases."""

from __future__ import annotations

import asyncio
import os
import secrets
import socket
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from eth_account import Account
from eth_account.signers.local import LocalAccount
from eth_utils.crypto import keccak
from sqlalchemy import Engine, create_engine, text
from web3 import Web3

from ledger.chain.client import LedgerClient
from ledger.chain.node import LocalNode
from ledger.chain.sender import Sender
from ledger.db.engine import make_engine
from ledger.db.migrate import upgrade
from ledger.encoding import Row, pack_rows, text_to_bytes
from ledger.ops.deploy import deploy_ledger
from ledger.ops.entries import EntryResult, create_campaign, issue_one, set_role


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def fund(w3: Web3, address: str, eth: int = 1_000, method: str = "anvil_setBalance") -> dict[str, Any]:
    """Sets an account's ether on a development node (`hardhat_setBalance` on Hardhat); the reply."""
    return dict(w3.provider.make_request(method, [address, hex(eth * 10**18)]))  # type: ignore[arg-type]


@pytest.fixture(scope="session")
def anvil(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalNode]:
    """One anvil for the session (tests isolate by deploying their own ledger)."""
    node = LocalNode(tmp_path_factory.mktemp("anvil"), port=free_port(), persist=False, gas_limit=100_000_000)
    node.start()
    yield node
    node.stop()


@pytest.fixture(scope="session")
def w3(anvil: LocalNode) -> Web3:
    return Web3(Web3.HTTPProvider(anvil.url, request_kwargs={"timeout": 60}))


@pytest.fixture(scope="session")
def operator(w3: Web3) -> LocalAccount:
    """The operator's key: admin, issuer, payer and pauser of every test ledger."""
    account: LocalAccount = Account.create()
    fund(w3, account.address)
    return account


@pytest.fixture(scope="session")
def stranger(w3: Web3) -> LocalAccount:
    """A funded account with no role at all."""
    account: LocalAccount = Account.create()
    fund(w3, account.address)
    return account


@dataclass
class LedgerHarness:
    """A freshly deployed ledger with the operator holding every role."""

    w3: Web3
    client: LedgerClient
    sender: Sender
    account: LocalAccount
    deploy_block: int

    def now(self) -> int:
        return int(self.w3.eth.get_block("latest")["timestamp"])

    def campaign(self, name: str = "welcome", budget: int = 10**30, terms: bytes = b"terms v1") -> bytes:
        cid = text_to_bytes(name)
        now = self.now()
        create_campaign(self.client, self.sender, cid, budget, keccak(terms), now - 60, now + 10**8)
        return cid

    def issue(self, campaign: bytes, player: bytes, amount: int, ref: str | None = None) -> EntryResult:
        return issue_one(self.client, self.sender, campaign, player, amount, text_to_bytes(ref or _ref()))

    def issue_batch(self, campaign: bytes, rows: list[Row], batch_id: bytes | None = None) -> int:
        data = self.client.encode(
            "issueBatch", batch_id or secrets.token_bytes(32), campaign, pack_rows(rows)
        )
        receipt = self.sender.transact(self.client.address, data)
        return receipt.gas_used


def _ref() -> str:
    return "ref-" + secrets.token_hex(8)


def random_player() -> bytes:
    return secrets.token_bytes(32)


def deploy_on(
    w3: Web3, operator: LocalAccount, roles: tuple[str, ...] = ("issuer", "payer", "pauser")
) -> LedgerHarness:
    """A ledger deployed by the project's own code, the operator admin and holding `roles`."""
    sender = Sender(w3, operator, timeout=60)
    deployment = deploy_ledger(sender)
    client = LedgerClient(w3, deployment.address)
    for role in roles:
        set_role(client, sender, role, operator.address, granted=True)
    return LedgerHarness(w3, client, sender, operator, deployment.block_number)


@pytest.fixture
def ledger(w3: Web3, operator: LocalAccount) -> LedgerHarness:
    return deploy_on(w3, operator)


@pytest.fixture
def chain_snapshot(w3: Web3) -> Iterator[None]:
    """Reverts the chain after the test: for tests that move time or reorganise blocks."""
    snapshot = w3.provider.make_request("evm_snapshot", [])["result"]  # type: ignore[arg-type]
    yield
    w3.provider.make_request("evm_revert", [snapshot])  # type: ignore[arg-type]


# ------------------------------------------------------------------ databases

DATABASES = ["sqlite", "postgresql"]


@contextmanager
def fresh_database(kind: str, directory: Path) -> Iterator[str]:
    """A new empty database URL: a SQLite file in `directory`, or a PostgreSQL schema of its own,
    dropped afterwards, when LEDGER_TEST_DATABASE_URL names a server (`.ci/run` sets it); without
    one the test is skipped."""
    if kind == "sqlite":
        yield f"sqlite:///{directory / f'mirror-{uuid.uuid4().hex[:8]}.db'}"
        return
    base = os.environ.get("LEDGER_TEST_DATABASE_URL")
    if not base:
        pytest.skip("PostgreSQL tests need LEDGER_TEST_DATABASE_URL (make test-pg sets it)")
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    separator = "&" if "?" in base else "?"
    try:
        yield f"{base}{separator}options=-csearch_path%3D{schema}"
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


POSTGRES_URL = os.environ.get("LEDGER_TEST_DATABASE_URL")
# For a test that only makes sense on PostgreSQL: skipped before its fixtures are built.
needs_postgres = pytest.mark.skipif(
    not POSTGRES_URL, reason="PostgreSQL tests need LEDGER_TEST_DATABASE_URL (make test-pg sets it)"
)


@pytest.fixture(params=DATABASES)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh, empty database of each kind."""
    with fresh_database(request.param, tmp_path) as url:
        yield url


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    """A fresh mirror database of each kind, migrated to the newest schema."""
    engine = make_engine(database_url)
    upgrade(engine)
    yield engine
    engine.dispose()


def wait_until(
    predicate: Callable[[], object], timeout: float = 10.0, what: str = "", interval: float = 0.05
) -> None:
    """Polls `predicate()` until true; fails the test, naming `what` it waited for, after `timeout`
    seconds. Tests wait on a condition like this, never on a fixed sleep."""
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"{what or 'condition'} not met within {timeout:g} s")
        time.sleep(interval)


async def eventually(
    predicate: Callable[[], object], timeout: float = 10.0, what: str = "", interval: float = 0.01
) -> None:
    """`wait_until` for async tests: the event loop runs between polls."""
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"{what or 'condition'} not met within {timeout:g} s")
        await asyncio.sleep(interval)
