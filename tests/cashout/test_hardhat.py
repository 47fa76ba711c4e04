"""The cash-out flow on a Hardhat node: a funded ledger takes a deposit, refuses unbacked
issuance, and a withdrawal moves the tokens (the reentrancy guard's transient storage included)."""

from __future__ import annotations

import pytest
from eth_account.signers.local import LocalAccount
from web3 import Web3

from ledger.cashout.ops import cashout_state, withdraw
from tests.cashout.conftest import deploy_cash
from tests.conftest import random_player
from tests.contract.conftest import expect_revert
from tests.hardhat.conftest import hardhat, hardhat_operator, hardhat_w3  # noqa: F401 (fixtures)


@pytest.mark.slow
def test_a_funded_ledger_settles_on_hardhat(hardhat_w3: Web3, hardhat_operator: LocalAccount) -> None:  # noqa: F811
    cash = deploy_cash(hardhat_w3, hardhat_operator, deposit=1_000)
    cash.fund_method = "hardhat_setBalance"
    cid, player = cash.campaign(), random_player()
    expect_revert(lambda: cash.issue(cid, player, 1_001), "CashoutReservesShort")
    cash.issue(cid, player, 1_000)
    wallet = cash.player_account(player)
    done = withdraw(cash.client, wallet, player, 400)
    assert not isinstance(done, int) and done.to == wallet.address
    assert cash.balance(wallet.address) == 400
    state = cashout_state(cash.client)
    assert (state.reserves, state.liability) == (600, 600) == (cash.balance(cash.client.address), 600)
