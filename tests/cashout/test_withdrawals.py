"""A player cashes out from the bound address: the balance is debited and the tokens move in the
same transaction, as a payout entry the hash chain and every mirror already understand."""

from __future__ import annotations

from eth_account.signers.local import LocalAccount
from web3 import Web3

from ledger.cashout.ops import (
    binding_of,
    cashout_state,
    set_limits,
    settle_payout,
    withdraw,
    withdrawal_ref,
    withdrawals_of,
)
from ledger.chain.sender import Sender
from ledger.encoding import text_to_bytes
from ledger.errors import InputError
from ledger.events import decode_log, entries_of
from ledger.hashchain import EntryKind, chain_head
from ledger.ops.entries import set_paused
from tests.cashout.conftest import CashHarness
from tests.conftest import random_player
from tests.contract.conftest import expect_revert


def advance(cash: CashHarness, seconds: int) -> None:
    """Moves the chain's clock on and mines a block at the new time."""
    cash.w3.provider.make_request("evm_increaseTime", [seconds])  # type: ignore[arg-type]
    cash.w3.provider.make_request("evm_mine", [])  # type: ignore[arg-type]


def test_a_withdrawal_debits_the_balance_and_moves_the_tokens_in_one_transaction(cash: CashHarness) -> None:
    player, cid = random_player(), cash.campaign()
    cash.issue(cid, player, 5_000)
    wallet = cash.player_account(player)
    settled = withdraw(cash.client, wallet, player, 1_200)
    assert not isinstance(settled, int)
    assert (settled.to, settled.amount) == (wallet.address, 1_200)
    assert cash.client.player(player).balance == 3_800
    assert cash.balance(wallet.address) == 1_200
    state = cashout_state(cash.client)
    assert (state.reserves, state.liability) == (1_000_000 - 1_200, 3_800)
    assert cash.balance(cash.client.address) == state.reserves
    assert cash.client.totals().paid == 1_200
    receipt = cash.w3.eth.get_transaction_receipt(settled.entry.tx_hash)  # type: ignore[arg-type]
    assert receipt["from"] == wallet.address  # the player's own transaction carried both
    assert withdrawals_of(cash.client, player) == (1_200, 1) and settled.nonce == 0


def test_withdrawals_fold_into_the_hash_chain_as_payouts_the_decoder_reads(cash: CashHarness) -> None:
    player, cid = random_player(), cash.campaign()
    cash.issue(cid, player, 900)
    wallet = cash.player_account(player)
    withdraw(cash.client, wallet, player, 300)
    settle_payout(cash.client, cash.sender, player, 100, text_to_bytes("push-1"))
    logs = cash.w3.eth.get_logs({"address": cash.client.address, "fromBlock": cash.deploy_block})
    raw = [
        {k: (v.to_0x_hex() if hasattr(v, "to_0x_hex") else v) for k, v in dict(log).items()} for log in logs
    ]
    events = [decode_log(r) for r in raw]
    entries = [e.entry for event in events for e in entries_of(event)]
    assert [e.kind for e in entries] == [EntryKind.ISSUED, EntryKind.PAID, EntryKind.PAID]
    assert entries[1].ref == withdrawal_ref(player, 0)
    assert chain_head(entries) == cash.client.chain_state()[1]
    settled = [e.args for e in events if e.name == "PayoutSettled"]
    to = wallet.address.lower()
    assert [(a["seq"], a["to"].lower(), a["amount"]) for a in settled] == [(2, to, 300), (3, to, 100)]


def test_a_retried_request_lands_once(cash: CashHarness) -> None:
    player, cid = random_player(), cash.campaign()
    cash.issue(cid, player, 900)
    wallet = cash.player_account(player)
    first = withdraw(cash.client, wallet, player, 300)
    assert not isinstance(first, int) and first.nonce == 0
    assert withdraw(cash.client, wallet, player, 300, nonce=0) == 0  # landed: nothing is sent
    expect_revert(
        lambda: cash.cash_out(wallet, player, 300, nonce=0), "CashoutNonceInvalid", nonce=0, expected=1
    )
    expect_revert(
        lambda: cash.cash_out(wallet, player, 300, nonce=2), "CashoutNonceInvalid", nonce=2, expected=1
    )
    try:
        withdraw(cash.client, wallet, player, 300, nonce=5)
    except InputError as exc:
        assert "#5 is ahead of the player's next, #1" in str(exc)
    else:
        raise AssertionError("a withdrawal number ahead of the next was sent")
    assert cash.balance(wallet.address) == 300 and cash.client.player(player).balance == 600
    second = withdraw(cash.client, wallet, player, 300)
    assert not isinstance(second, int) and second.nonce == 1


def test_an_unbound_address_cannot_withdraw(cash: CashHarness, stranger: LocalAccount, w3: Web3) -> None:
    player, cid = random_player(), cash.campaign()
    cash.issue(cid, player, 900)
    intruder = Sender(w3, stranger)
    expect_revert(lambda: cash.cash_out(intruder, player, 1), "CashoutNotBound", player=player)
    cash.player_account(player)
    expect_revert(
        lambda: cash.cash_out(intruder, player, 1),
        "CashoutNotBound", caller=stranger.address,
    )  # fmt: skip
    expect_revert(
        lambda: settle_payout(cash.client, cash.sender, random_player(), 1, b"p" * 32), "CashoutNotBound"
    )


def test_limits_per_withdrawal_and_per_day_are_enforced(cash: CashHarness) -> None:
    player, cid = random_player(), cash.campaign()
    cash.issue(cid, player, 10_000)
    wallet = cash.player_account(player)
    set_limits(cash.client, cash.sender, 1_000, 1_500)
    expect_revert(lambda: cash.cash_out(wallet, player, 1_001), "CashoutLimitExceeded", limit=1_000)
    cash.cash_out(wallet, player, 1_000)
    expect_revert(
        lambda: cash.cash_out(wallet, player, 600),
        "CashoutDailyLimitExceeded", used=1_000, amount=600, limit=1_500,
    )  # fmt: skip
    cash.cash_out(wallet, player, 500)
    expect_revert(lambda: cash.cash_out(wallet, player, 20_000), "CashoutLimitExceeded")
    set_limits(cash.client, cash.sender, 100_000, 100_000)
    expect_revert(lambda: cash.cash_out(wallet, player, 8_501), "PlayerInsufficientBalance")
    set_limits(cash.client, cash.sender, 0, 0)
    expect_revert(lambda: cash.cash_out(wallet, player, 1), "CashoutLimitExceeded", limit=0)


def test_the_daily_limit_starts_again_the_next_utc_day(cash: CashHarness, chain_snapshot: None) -> None:
    player, cid = random_player(), cash.campaign()
    cash.issue(cid, player, 10_000)
    wallet = cash.player_account(player)
    set_limits(cash.client, cash.sender, 1_000, 1_000)
    cash.cash_out(wallet, player, 1_000)
    expect_revert(lambda: cash.cash_out(wallet, player, 1), "CashoutDailyLimitExceeded")
    advance(cash, 86_400)
    cash.cash_out(wallet, player, 1_000)
    assert cash.balance(wallet.address) == 2_000


def test_nothing_is_withdrawn_while_paused(cash: CashHarness) -> None:
    player, cid = random_player(), cash.campaign()
    cash.issue(cid, player, 900)
    wallet = cash.player_account(player)
    set_paused(cash.client, cash.sender, True)
    expect_revert(lambda: cash.cash_out(wallet, player, 1), "EnforcedPause")
    expect_revert(lambda: settle_payout(cash.client, cash.sender, player, 1, b"p" * 32), "EnforcedPause")
    set_paused(cash.client, cash.sender, False)
    cash.cash_out(wallet, player, 1)


def test_a_rebinding_waits_out_its_cool_down_and_revokes_the_old_address(
    cash: CashHarness, chain_snapshot: None
) -> None:
    player, cid = random_player(), cash.campaign()
    cash.issue(cid, player, 900)
    old = cash.player_account(player)
    first = binding_of(cash.client, player)
    assert first.account == old.address and first.active_from <= cash.now()
    new = cash.player_account(player)  # a rebinding
    binding = binding_of(cash.client, player)
    cooldown = int(cash.client.contract.functions.REBIND_COOLDOWN().call())
    assert binding.account == new.address and binding.active_from >= cash.now() + cooldown - 5
    expect_revert(
        lambda: cash.cash_out(new, player, 1),
        "CashoutBindingCoolingDown", activeFrom=binding.active_from,
    )  # fmt: skip
    expect_revert(
        lambda: settle_payout(cash.client, cash.sender, player, 1, b"p" * 32), "CashoutBindingCoolingDown"
    )
    expect_revert(lambda: cash.cash_out(old, player, 1), "CashoutNotBound")
    advance(cash, cooldown)
    cash.cash_out(new, player, 1)
    assert cash.balance(new.address) == 1


def test_binding_needs_a_player_an_address_and_an_attestation(cash: CashHarness) -> None:
    zero = "0x" + "00" * 20
    expect_revert(
        lambda: cash.call(cash.sender, "bindWithdrawalAddress", random_player(), zero, b"k" * 32),
        "CashoutAddressZero",
    )
    expect_revert(
        lambda: cash.call(cash.sender, "bindWithdrawalAddress", bytes(32), cash.account.address, b"k" * 32),
        "PlayerKeyZero",
    )
    expect_revert(
        lambda: cash.call(
            cash.sender, "bindWithdrawalAddress", random_player(), cash.account.address, bytes(32)
        ),
        "LedgerReferenceZero",
    )
    expect_revert(
        lambda: cash.call(cash.sender, "setWithdrawalLimits", 2**128, 1),
        "LedgerAmountTooLarge",
        amount=2**128,
    )
    expect_revert(
        lambda: cash.cash_out(cash.sender, random_player(), 0),
        "CashoutNotBound",
    )
