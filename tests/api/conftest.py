"""API fixtures: one world on the session's anvil, mirrored by the real indexer into each database."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest
from eth_account.signers.local import LocalAccount
from fastapi import FastAPI
from web3 import Web3

from api.main import create_app
from ledger.chain.node import LocalNode
from ledger.config import Settings
from tests.api.world import World, build_world, index_into
from tests.conftest import fresh_database

TOKEN = "audit-token-for-tests"


@pytest.fixture(scope="session")
def world(w3: Web3, operator: LocalAccount, tmp_path_factory: pytest.TempPathFactory) -> World:
    return build_world(w3, operator, tmp_path_factory.mktemp("data") / "terms")


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def mirror_url(
    request: pytest.FixtureRequest, world: World, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """The world mirrored by `catch_up` into a fresh SQLite file or PostgreSQL schema."""
    with fresh_database(request.param, tmp_path_factory.mktemp("mirror")) as url:
        index_into(world, url)
        yield url


def settings_for(url: str, world: World, anvil: LocalNode, token: str | None = None) -> Settings:
    return Settings(
        database_url=url,
        rpc_url=anvil.url,
        data_dir=world.terms_dir.parent,
        api_token=token,  # type: ignore[arg-type]
        contract_address=world.address,
    )


@pytest.fixture(scope="session")
def app(mirror_url: str, world: World, anvil: LocalNode) -> FastAPI:
    """The API over the mirror, with the audit token set."""
    return create_app(settings_for(mirror_url, world, anvil, TOKEN))


@pytest.fixture
async def client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://api.test") as c:
        yield c


@pytest.fixture(scope="session")
def euro_app(mirror_url: str, world: World, anvil: LocalNode) -> FastAPI:
    """The API over the mirror for a program that counts euro cents."""
    settings = settings_for(mirror_url, world, anvil, TOKEN)
    return create_app(settings.model_copy(update={"display_unit": "EUR", "display_decimals": 2}))


@pytest.fixture
async def euro(euro_app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    """A client of `euro_app`, with the audit token."""
    transport = httpx.ASGITransport(app=euro_app)
    headers = {"Authorization": f"Bearer {TOKEN}"}
    async with httpx.AsyncClient(transport=transport, base_url="http://api.test", headers=headers) as c:
        yield c


@pytest.fixture
def auth() -> dict[str, str]:
    return {"Authorization": f"Bearer {TOKEN}"}


def data_dir_of(world: World) -> Path:
    return world.terms_dir.parent
