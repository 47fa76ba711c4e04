"""Operator API fixtures: a fresh ledger on the session's anvil, a fresh database of each kind,
the app over it with tokens of every scope, and the sender over the same ledger and database."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from eth_account.signers.local import LocalAccount
from fastapi.testclient import TestClient
from web3 import Web3

from api.main import create_app
from api.routes.operator_models import AcceptedPublic
from ledger.chain.node import LocalNode
from ledger.db.engine import make_engine
from ledger.db.migrate import upgrade
from ledger.operator.runtime import OperatorSettings, build_sender
from ledger.operator.sender import OperatorSender
from ledger.operator.tokens import create_token
from tests.conftest import DATABASES, LedgerHarness, deploy_on, fresh_database

AUDIT_TOKEN = "operator-tests-audit-token"


@dataclass
class Operator:
    """One ledger, one database, the app, and a token of each scope."""

    ledger: LedgerHarness
    settings: OperatorSettings
    api: TestClient
    tokens: dict[str, str] = field(default_factory=dict)

    def auth(self, scope: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[scope]}"}

    def post(self, path: str, body: object, scope: str = "issuer") -> tuple[int, dict]:  # type: ignore[type-arg]
        answer = self.api.post(f"/v1/operator/{path}", json=body, headers=self.auth(scope))
        if answer.status_code in (200, 202):  # built field by field: check it against its model
            AcceptedPublic.model_validate(answer.json())
        return answer.status_code, answer.json()

    def sender(self) -> OperatorSender:
        return build_sender(self.settings)

    def send_all(self, rounds: int = 5) -> None:
        sender = self.sender()
        try:
            for _ in range(rounds):
                if not sender.cycle():
                    break
        finally:
            sender.writer.close()
            sender.engine.dispose()


def player() -> str:
    return "0x" + secrets.token_hex(32)


def settings_for(
    ledger: LedgerHarness, url: str, data_dir: Path, anvil: LocalNode, **extra: object
) -> OperatorSettings:
    return OperatorSettings(
        database_url=url, rpc_url=anvil.url, data_dir=data_dir, contract_address=ledger.client.address,
        private_key=ledger.account.key.to_0x_hex(), api_token=AUDIT_TOKEN, lock_wait=30,  # type: ignore[arg-type]
        tx_timeout=30, **extra,
    )  # fmt: skip


@contextmanager
def operator_on(
    w3: Web3, account: LocalAccount, anvil: LocalNode, url: str, data_dir: Path
) -> Iterator[Operator]:
    ledger = deploy_on(w3, account)
    ledger.campaign("welcome")
    upgrade(url)
    cfg = settings_for(ledger, url, data_dir, anvil)
    engine = make_engine(url)
    tokens = {scope: create_token(engine, scope)[1] for scope in ("issuer", "payer", "admin", "auditor")}
    engine.dispose()
    with TestClient(create_app(cfg), raise_server_exceptions=False) as api:
        yield Operator(ledger, cfg, api, tokens)


@pytest.fixture
def op(
    w3: Web3, operator: LocalAccount, anvil: LocalNode, database_url: str, tmp_path: Path
) -> Iterator[Operator]:
    with operator_on(w3, operator, anvil, database_url, tmp_path / "data") as made:
        yield made


@pytest.fixture(scope="module", params=DATABASES)
def shared_op(
    request: pytest.FixtureRequest,
    w3: Web3,
    operator: LocalAccount,
    anvil: LocalNode,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Operator]:
    """One ledger and database for a module of tests that store nothing (refusals)."""
    directory = tmp_path_factory.mktemp("operator")
    with (
        fresh_database(request.param, directory) as url,
        operator_on(w3, operator, anvil, url, directory / "data") as made,
    ):
        yield made
