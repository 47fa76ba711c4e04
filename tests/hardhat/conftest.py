"""Fixtures for running the ledger on a real Hardhat node started on a free port."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from eth_account import Account
from eth_account.signers.local import LocalAccount
from web3 import Web3

from ledger.chain.hardhat import HardhatNode
from ledger.errors import ConfigError
from tests.conftest import LedgerHarness, deploy_on, free_port, fund


def rpc(w3: Web3, method: str, params: list[Any] | None = None) -> dict[str, Any]:
    """The raw JSON-RPC reply (result or error) to one call."""
    return dict(w3.provider.make_request(method, params or []))  # type: ignore[arg-type]


@pytest.fixture(scope="session")
def hardhat(tmp_path_factory: pytest.TempPathFactory) -> Iterator[HardhatNode]:
    """One Hardhat node for the session (tests isolate by deploying their own ledger)."""
    node = HardhatNode(tmp_path_factory.mktemp("hardhat"), port=free_port())
    try:
        node.start()
    except ConfigError as exc:
        pytest.fail(str(exc), pytrace=False)
    yield node
    node.stop()


@pytest.fixture(scope="session")
def hardhat_w3(hardhat: HardhatNode) -> Web3:
    return Web3(Web3.HTTPProvider(hardhat.url, request_kwargs={"timeout": 60}))


@pytest.fixture(scope="session")
def hardhat_operator(hardhat_w3: Web3) -> LocalAccount:
    """A fresh operator key, funded with `hardhat_setBalance`."""
    account: LocalAccount = Account.create()
    reply = fund(hardhat_w3, account.address, method="hardhat_setBalance")
    assert reply.get("result") is True, reply
    return account


@pytest.fixture
def hardhat_ledger(hardhat_w3: Web3, hardhat_operator: LocalAccount) -> LedgerHarness:
    """A fresh ledger on the Hardhat node."""
    return deploy_on(hardhat_w3, hardhat_operator)
