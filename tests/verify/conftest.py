"""Verify fixtures: a world mirrored into a fresh database per test (tests tamper with it), served over HTTP."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from eth_account.signers.local import LocalAccount
from sqlalchemy import Engine
from web3 import Web3

from api.main import create_app
from ledger.chain.node import LocalNode
from ledger.db.engine import make_engine
from tests.api.conftest import settings_for
from tests.api.world import World, build_world, index_into
from tests.conftest import fresh_database
from tests.verify.server import serving


@pytest.fixture(scope="module")
def world(w3: Web3, operator: LocalAccount, tmp_path_factory: pytest.TempPathFactory) -> World:
    return build_world(w3, operator, tmp_path_factory.mktemp("data") / "terms", whale_rows=200)


@dataclass
class Served:
    """A mirror of the world served by the API: tests may tamper with `engine` to make the API lie."""

    world: World
    url: str
    engine: Engine
    rpc: str
    db_url: str


@pytest.fixture(params=["sqlite", "postgresql"])
def served(
    request: pytest.FixtureRequest, world: World, anvil: LocalNode, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Served]:
    with fresh_database(request.param, tmp_path_factory.mktemp("mirror")) as url:
        index_into(world, url)
        engine = make_engine(url)
        app = create_app(settings_for(url, world, anvil))
        try:
            with serving(app) as base:
                yield Served(world, base, engine, anvil.url, url)
        finally:
            engine.dispose()
