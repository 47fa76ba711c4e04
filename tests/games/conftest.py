"""A ledger with a RewardsGames beside it, the operator holding every role of both."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from eth_account.signers.local import LocalAccount
from web3 import Web3

from ledger.chain.sender import Receipt
from ledger.games.contract import GamesClient, deploy_games, games_role
from tests.conftest import LedgerHarness, deploy_on


@dataclass
class GamesHarness:
    ledger: LedgerHarness
    games: GamesClient
    campaign: bytes
    deploy_block: int

    def send(self, name: str, *args: Any) -> Receipt:
        return self.games.transact(self.ledger.sender, name, *args)

    def warp(self, seconds: int) -> None:
        w3 = self.ledger.w3
        w3.provider.make_request("evm_increaseTime", [seconds])  # type: ignore[arg-type]
        w3.provider.make_request("evm_mine", [])  # type: ignore[arg-type]


def games_on(w3: Web3, operator: LocalAccount) -> GamesHarness:
    ledger = deploy_on(w3, operator)
    deployment = deploy_games(ledger.sender, ledger.client)
    games = GamesClient(w3, deployment.address)
    for role in ("awarder", "tournament"):
        games.transact(ledger.sender, "grantRole", games_role(role), operator.address)
    return GamesHarness(ledger, games, ledger.campaign("games"), deployment.block_number)


@pytest.fixture
def games(w3: Web3, operator: LocalAccount) -> GamesHarness:
    return games_on(w3, operator)
