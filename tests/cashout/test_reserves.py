"""Reserves and liability: a funded ledger never owes more than it holds, the operator takes out
only the surplus, and only the roles that should can bind, set limits or take reserves."""

from __future__ import annotations

import functools
from typing import Any

from eth_account.signers.local import LocalAccount
from web3 import Web3

from ledger.artifact import load_artifact
from ledger.cashout.ops import cashout_state, deposit_reserves, withdraw_surplus
from ledger.chain.client import LedgerClient
from ledger.chain.reverts import decode_revert, revert_data_from
from ledger.chain.sender import Sender
from ledger.encoding import Row, text_to_bytes
from ledger.errors import ConfigError
from ledger.ops.deploy import deploy_ledger
from ledger.ops.entries import expire_balance, record_payout, set_role
from tests.cashout.conftest import CashHarness, deploy_cash
from tests.conftest import LedgerHarness, random_player
from tests.contract.conftest import expect_revert


def test_a_funded_ledger_refuses_issuance_its_reserves_do_not_back(w3: Web3, operator: LocalAccount) -> None:
    cash = deploy_cash(w3, operator, deposit=1_000)
    cid, player = cash.campaign(), random_player()
    cash.issue(cid, player, 600)
    expect_revert(lambda: cash.issue(cid, player, 401), "CashoutReservesShort", needed=1_001, reserves=1_000)
    expect_revert(
        lambda: cash.issue_batch(cid, [_row(player, 300), _row(random_player(), 101)]), "CashoutReservesShort"
    )
    cash.issue(cid, player, 400)
    state = cashout_state(cash.client)
    assert (state.funded, state.reserves, state.liability, state.surplus) == (True, 1_000, 1_000, 0)
    cash.mint(operator.address, 500)
    deposit_reserves(cash.client, cash.sender, 500)
    cash.issue(cid, player, 500)
    assert cashout_state(cash.client).liability == 1_500 == cash.client.player(player).balance


def _row(player: bytes, amount: int) -> Row:
    return Row(player, amount, text_to_bytes("row-" + player.hex()[:8] + str(amount), 20))


def test_every_debit_lowers_the_liability_and_the_admin_takes_only_the_surplus(
    w3: Web3, operator: LocalAccount
) -> None:
    cash = deploy_cash(w3, operator, deposit=1_000)
    cid, player = cash.campaign(), random_player()
    cash.issue(cid, player, 900)
    record_payout(cash.client, cash.sender, player, 100, text_to_bytes("paid-off-chain"))
    expire_balance(cash.client, cash.sender, player, 50, text_to_bytes("exp-1"), text_to_bytes("stale"))
    assert cashout_state(cash.client).liability == 750
    expect_revert(
        lambda: withdraw_surplus(cash.client, cash.sender, operator.address, 251),
        "CashoutSurplusExceeded",
        surplus=250,
    )
    withdraw_surplus(cash.client, cash.sender, operator.address, 250)
    assert cash.balance(operator.address) == 250 and cash.balance(cash.client.address) == 750
    state = cashout_state(cash.client)
    assert (state.reserves, state.liability) == (750, 750)
    expect_revert(
        lambda: withdraw_surplus(cash.client, cash.sender, operator.address, 1),
        "CashoutSurplusExceeded",
        surplus=0,
    )
    expect_revert(
        lambda: withdraw_surplus(cash.client, cash.sender, "0x" + "00" * 20, 1), "CashoutAddressZero"
    )
    expect_revert(lambda: cash.call(cash.sender, "depositReserves", 0), "LedgerZeroAmount")
    cash.mint(operator.address, 2**128)
    cash.token_tx(cash.sender, "approve", cash.client.address, 2**128)
    expect_revert(lambda: cash.call(cash.sender, "depositReserves", 2**128 - 1), "LedgerAmountTooLarge")


def test_unprivileged_accounts_cannot_bind_set_limits_pay_or_take_reserves(
    cash: CashHarness, stranger: LocalAccount, w3: Web3
) -> None:
    intruder = Sender(w3, stranger)
    player = random_player()
    calls: list[tuple[str, tuple[Any, ...]]] = [
        ("bindWithdrawalAddress", (player, stranger.address, b"k" * 32)),
        ("setWithdrawalLimits", (10**9, 10**9)),
        ("withdrawSurplus", (stranger.address, 1)),
        ("settlePayout", (player, 1, b"p" * 32)),
    ]
    for name, args in calls:
        action = functools.partial(cash.call, intruder, name, *args)
        expect_revert(action, "AccessControlUnauthorizedAccount", account=stranger.address)
    assert cash.balance(stranger.address) == 0


def test_a_fee_on_transfer_token_is_refused_on_the_first_short_deposit(
    w3: Web3, operator: LocalAccount
) -> None:
    cash = deploy_cash(w3, operator, name="FeeOnTransferToken")
    cash.mint(operator.address, 10_000)
    cash.token_tx(cash.sender, "approve", cash.client.address, 10_000)
    expect_revert(
        lambda: cash.call(cash.sender, "depositReserves", 10_000),
        "CashoutDepositShort",
        amount=10_000,
        received=9_900,
    )
    assert cashout_state(cash.client).reserves == 0


def test_a_token_that_returns_nothing_settles_like_any_other(w3: Web3, operator: LocalAccount) -> None:
    cash = deploy_cash(w3, operator, name="NoReturnToken", deposit=5_000)
    cid, player = cash.campaign(), random_player()
    cash.issue(cid, player, 2_000)
    wallet = cash.player_account(player)
    cash.cash_out(wallet, player, 700)
    assert cash.balance(wallet.address) == 700 and cashout_state(cash.client).reserves == 4_300
    expect_revert(lambda: cash.call(cash.sender, "depositReserves", 10**9), "Error")  # no allowance: reverts


def test_a_token_that_returns_false_fails_the_withdrawal_whole(w3: Web3, operator: LocalAccount) -> None:
    cash = deploy_cash(w3, operator, name="ReenteringToken", deposit=5_000)
    cid, player = cash.campaign(), random_player()
    cash.issue(cid, player, 2_000)
    wallet = cash.player_account(player)
    cash.token_tx(cash.sender, "setRefuse", True)
    expect_revert(lambda: cash.cash_out(wallet, player, 700), "SafeERC20FailedOperation")
    assert cash.client.player(player).balance == 2_000 and cashout_state(cash.client).reserves == 5_000


def test_a_re_entering_token_gets_nothing_twice(w3: Web3, operator: LocalAccount) -> None:
    cash = deploy_cash(w3, operator, name="ReenteringToken", deposit=5_000)
    cid, player = cash.campaign(), random_player()
    cash.issue(cid, player, 2_000)
    wallet = cash.player_account(player)
    again = cash.client.encode("withdraw", player, 700, 1)  # the next withdrawal, from inside the first
    cash.token_tx(cash.sender, "arm", cash.client.address, again, True)
    expect_revert(lambda: cash.cash_out(wallet, player, 700), "ReentrancyGuardReentrantCall")
    cash.token_tx(cash.sender, "arm", cash.client.address, again, False)  # the token swallows the refusal
    cash.cash_out(wallet, player, 700)
    assert (
        int(cash.token.functions.attempts().call()) == 1 and int(cash.token.functions.successes().call()) == 0
    )
    assert cash.balance(wallet.address) == 700 and cash.client.player(player).balance == 1_300
    assert cashout_state(cash.client).reserves == 4_300 == cash.balance(cash.client.address)


def test_record_only_ledgers_settle_nothing_and_funded_mode_needs_a_token(
    cash: CashHarness, w3: Web3
) -> None:
    sender = Sender(w3, cash.account)
    try:
        deploy_ledger(sender, funded=True)
    except ConfigError as exc:
        assert "token" in str(exc)
    else:
        raise AssertionError("a funded ledger without a token was deployed")
    artifact = load_artifact()
    factory = w3.eth.contract(abi=artifact.abi, bytecode=artifact.bytecode)
    data = factory.constructor(cash.account.address, "0x" + "00" * 20, True).data_in_transaction

    def create() -> None:
        try:
            w3.eth.estimate_gas({"from": cash.account.address, "data": data})
        except Exception as exc:
            raise decode_revert(revert_data_from(exc)) from None

    expect_revert(create, "CashoutTokenMissing")
    client = LedgerClient(w3, deploy_ledger(sender).address)
    state = cashout_state(client)
    assert (state.settles, state.funded, state.reserves, state.liability) == (False, False, 0, 0)
    expect_revert(
        lambda: sender.transact(client.address, client.encode("depositReserves", 1)), "CashoutTokenUnset"
    )
    record_only = LedgerHarness(w3, client, sender, cash.account, 0)
    cid, player = record_only.campaign(), random_player()
    set_role(client, sender, "issuer", cash.account.address, granted=True)
    record_only.issue(cid, player, 10**9)  # no reserves needed, nothing settled
    expire_balance(client, sender, player, 10**8, text_to_bytes("exp"), text_to_bytes("stale"))
    assert cashout_state(client).liability == 9 * 10**8 == client.totals().outstanding
