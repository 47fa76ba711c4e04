"""Random sequences of deposits, issuance, withdrawals, token payouts, surplus withdrawals,
reversals and expiries on a funded ledger: a Python model predicts every refusal, and after every
step the reserves cover the liability, the ledger holds exactly its reserves in tokens, and the
tokens the players received equal the payouts the ledger settled."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from eth_account.signers.local import LocalAccount
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)
from web3 import Web3

from ledger.cashout.ops import cashout_state
from ledger.chain.sender import Sender
from ledger.encoding import text_to_bytes
from ledger.errors import ContractRevert
from tests.cashout.conftest import CashHarness, deploy_cash

PLAYERS = [bytes([i + 1]) * 32 for i in range(3)]
AMOUNTS = st.integers(min_value=1, max_value=1_500)


@dataclass
class Reward:
    ref: bytes
    seq: int
    player: bytes
    amount: int
    reversed: bool = False


class FundedLedger(RuleBasedStateMachine):
    w3: Web3
    account: LocalAccount

    def __init__(self) -> None:
        super().__init__()
        self.cash: CashHarness = deploy_cash(self.w3, self.account)
        self.cid = self.cash.campaign()
        self.wallets = {player: self.cash.player_account(player) for player in PLAYERS}
        self.cash.mint(self.account.address, 10**12)
        self.cash.token_tx(self.cash.sender, "approve", self.cash.client.address, 10**12)
        self.balance = dict.fromkeys(PLAYERS, 0)
        self.withdrawals = dict.fromkeys(PLAYERS, 0)
        self.reserves = self.settled = self.seq = self.taken = 0
        self.rewards: list[Reward] = []
        self.refs = 0

    def _ref(self) -> bytes:
        self.refs += 1
        return text_to_bytes(f"r-{self.refs}")

    def _send(self, sender: Sender, name: str, args: tuple[object, ...], refusal: str | None) -> bool:
        try:
            self.cash.call(sender, name, *args)
        except ContractRevert as exc:
            assert exc.name == refusal, f"chain refused with {exc.name}, model expected {refusal}"
            return False
        assert refusal is None, f"chain accepted what the model expected refused with {refusal}"
        self.seq += name not in ("depositReserves", "withdrawSurplus")
        return True

    @property
    def liability(self) -> int:
        return sum(self.balance.values())

    @rule(amount=st.integers(min_value=1, max_value=2_000))
    def deposit(self, amount: int) -> None:
        self._send(self.cash.sender, "depositReserves", (amount,), None)
        self.reserves += amount

    @rule(player=st.sampled_from(PLAYERS), amount=AMOUNTS)
    def issue(self, player: bytes, amount: int) -> None:
        short = self.liability + amount > self.reserves
        ref = self._ref()
        args = (self.cid, player, amount, ref)
        if self._send(self.cash.sender, "issue", args, "CashoutReservesShort" if short else None):
            self.balance[player] += amount
            self.rewards.append(Reward(ref, self.seq, player, amount))

    @rule(player=st.sampled_from(PLAYERS), amount=AMOUNTS, push=st.booleans())
    def pay_out(self, player: bytes, amount: int, push: bool) -> None:
        refusal = "PlayerInsufficientBalance" if amount > self.balance[player] else None
        if push:
            done = self._send(self.cash.sender, "settlePayout", (player, amount, self._ref()), refusal)
        else:
            args = (player, amount, self.withdrawals[player])
            done = self._send(self.wallets[player], "withdraw", args, refusal)
            self.withdrawals[player] += done
        if done:
            self.balance[player] -= amount
            self.reserves -= amount
            self.settled += amount

    @rule(amount=st.integers(min_value=1, max_value=2_000))
    def take_surplus(self, amount: int) -> None:
        refusal = "CashoutSurplusExceeded" if amount > self.reserves - self.liability else None
        if self._send(self.cash.sender, "withdrawSurplus", (self.account.address, amount), refusal):
            self.reserves -= amount
            self.taken += amount

    @precondition(lambda self: any(not r.reversed for r in self.rewards))
    @rule(pick=st.integers(min_value=0), share=st.integers(min_value=1, max_value=100))
    def reverse(self, pick: int, share: int) -> None:
        open_ = [r for r in self.rewards if not r.reversed]
        reward = open_[pick % len(open_)]
        amount = max(1, reward.amount * share // 100)
        refusal = "PlayerInsufficientBalance" if amount > self.balance[reward.player] else None
        records = reward.player + reward.amount.to_bytes(32, "big")
        proof = (reward.ref, self.cid, reward.seq, records, 0)
        if self._send(self.cash.sender, "reverse", (proof, amount, text_to_bytes("dup")), refusal):
            reward.reversed = True
            self.balance[reward.player] -= amount

    @rule(player=st.sampled_from(PLAYERS), amount=AMOUNTS)
    def expire(self, player: bytes, amount: int) -> None:
        refusal = "PlayerInsufficientBalance" if amount > self.balance[player] else None
        args = (player, amount, self._ref(), text_to_bytes("stale"))
        if self._send(self.cash.sender, "expire", args, refusal):
            self.balance[player] -= amount

    @invariant()
    def reserves_cover_the_liability_and_tokens_follow_the_books(self) -> None:
        state = cashout_state(self.cash.client)
        assert (state.reserves, state.liability) == (self.reserves, self.liability)
        assert state.reserves >= state.liability
        assert self.cash.balance(self.cash.client.address) == state.reserves
        received = sum(self.cash.balance(sender.address) for sender in self.wallets.values())
        assert received == self.settled == self.cash.client.totals().paid
        assert self.cash.client.chain_state()[0] == self.seq
        assert all(self.cash.client.player(p).balance == b for p, b in self.balance.items())


@pytest.mark.slow
def test_funded_ledgers_stay_backed_and_pay_exactly_what_they_record(
    w3: Web3, operator: LocalAccount
) -> None:
    FundedLedger.w3, FundedLedger.account = w3, operator
    run_state_machine_as_test(
        FundedLedger,
        settings=settings(
            max_examples=6, stateful_step_count=15, deadline=None, suppress_health_check=list(HealthCheck)
        ),
    )
