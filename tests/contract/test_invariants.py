"""Randomised sequences of operations keep budget, balance and idempotency invariants.

A Python model of the ledger runs beside a real deployment; after every step the chain must
equal the model (balances, lifetime totals, campaign use, global totals, entry count and the
hash-chain head), and the model predicts exactly which calls the contract refuses.
"""

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

from ledger.chain.client import LedgerClient
from ledger.chain.sender import Sender
from ledger.encoding import Row, pack_rows, row_ref_word, text_to_bytes
from ledger.errors import ContractRevert
from ledger.hashchain import ZERO32, Entry, EntryKind, chain_head
from ledger.ops.deploy import deploy_ledger
from ledger.ops.entries import create_campaign, set_role
from ledger.ops.lookup import RewardProof

pytestmark = pytest.mark.slow  # a property test over random operation sequences

PLAYERS = [bytes([i + 1]) * 32 for i in range(4)]
REFS = [text_to_bytes(f"ref-{i}") for i in range(8)]
BUDGETS = {text_to_bytes("alpha"): 1_500, text_to_bytes("beta"): 600}
CAMPAIGNS = list(BUDGETS)


@dataclass
class Reward:
    proof: RewardProof
    campaign: bytes
    reversed: bool = False


class LedgerModel(RuleBasedStateMachine):
    w3: Web3
    account: LocalAccount

    def __init__(self) -> None:
        super().__init__()
        self.sender = Sender(self.w3, self.account)
        self.client = LedgerClient(self.w3, deploy_ledger(self.sender).address)
        for role in ("issuer", "payer"):
            set_role(self.client, self.sender, role, self.account.address, granted=True)
        now = int(self.w3.eth.get_block("latest")["timestamp"])
        for cid, budget in BUDGETS.items():
            create_campaign(self.client, self.sender, cid, budget, ZERO32, now - 10, now + 10**8)
        self.balance = dict.fromkeys(PLAYERS, 0)
        self.earned = dict.fromkeys(PLAYERS, 0)
        self.issued = dict.fromkeys(CAMPAIGNS, 0)
        self.totals = [0, 0, 0, 0]
        self.used: set[bytes] = set()
        self.entries: list[Entry] = []
        self.rewards: list[Reward] = []

    def _send(self, data: bytes, refusal: str | None) -> bool:
        try:
            self.sender.transact(self.client.address, data)
        except ContractRevert as exc:
            assert exc.name == refusal, f"chain refused with {exc.name}, model expected {refusal}"
            return False
        assert refusal is None, f"chain accepted what the model expected refused with {refusal}"
        return True

    def _entry(
        self, kind: EntryKind, campaign: bytes, player: bytes, amount: int, ref: bytes, aux: bytes
    ) -> int:
        seq = len(self.entries) + 1
        self.entries.append(Entry(seq, kind, campaign, player, amount, ref, aux))
        return seq

    @rule(
        p=st.sampled_from(PLAYERS),
        c=st.sampled_from(CAMPAIGNS),
        amount=st.integers(1, 400),
        ref=st.sampled_from(REFS),
    )
    def issue(self, p: bytes, c: bytes, amount: int, ref: bytes) -> None:
        refusal = (
            "LedgerReferenceUsed" if ref in self.used
            else "CampaignBudgetExceeded" if self.issued[c] + amount > BUDGETS[c] else None
        )  # fmt: skip
        if self._send(self.client.encode("issue", c, p, amount, ref), refusal):
            self.used.add(ref)
            seq = self._entry(EntryKind.ISSUED, c, p, amount, ref, ZERO32)
            self._credit(p, c, amount)
            records = p + amount.to_bytes(32, "big")
            self.rewards.append(Reward(RewardProof(ref, c, seq, records, 0, p, amount), c))

    @rule(
        c=st.sampled_from(CAMPAIGNS),
        lines=st.lists(st.tuples(st.sampled_from(PLAYERS), st.integers(1, 150)), min_size=1, max_size=5),
        batch_id=st.sampled_from(REFS),
    )
    def issue_batch(self, c: bytes, lines: list[tuple[bytes, int]], batch_id: bytes) -> None:
        rows = [Row(p, a, text_to_bytes(f"r{i}", 20)) for i, (p, a) in enumerate(lines)]
        total = sum(a for _, a in lines)
        refusal = (
            "LedgerReferenceUsed" if batch_id in self.used
            else "CampaignBudgetExceeded" if self.issued[c] + total > BUDGETS[c] else None
        )  # fmt: skip
        if self._send(self.client.encode("issueBatch", batch_id, c, pack_rows(rows)), refusal):
            self.used.add(batch_id)
            first = len(self.entries) + 1
            for index, row in enumerate(rows):
                self._entry(EntryKind.ISSUED, c, row.player, row.amount, row_ref_word(row.ref), batch_id)
                self._credit(row.player, c, row.amount)
                proof = RewardProof(batch_id, c, first, pack_rows(rows), index, row.player, row.amount)
                self.rewards.append(Reward(proof, c))

    @rule(
        p=st.sampled_from(PLAYERS),
        amount=st.integers(1, 600),
        ref=st.sampled_from(REFS),
        expire=st.booleans(),
    )
    def debit(self, p: bytes, amount: int, ref: bytes, expire: bool) -> None:
        refusal = (
            "LedgerReferenceUsed" if ref in self.used
            else "PlayerInsufficientBalance" if amount > self.balance[p] else None
        )  # fmt: skip
        reason = text_to_bytes("stale") if expire else ZERO32
        data = (
            self.client.encode("expire", p, amount, ref, reason) if expire
            else self.client.encode("recordPayout", p, amount, ref)
        )  # fmt: skip
        if self._send(data, refusal):
            self.used.add(ref)
            self._entry(EntryKind.EXPIRED if expire else EntryKind.PAID, ZERO32, p, amount, ref, reason)
            self.balance[p] -= amount
            self.totals[3 if expire else 1] += amount

    @precondition(lambda self: bool(self.rewards))
    @rule(pick=st.integers(0, 10**6), share=st.integers(1, 120))
    def reverse(self, pick: int, share: int) -> None:
        reward = self.rewards[pick % len(self.rewards)]
        p, rewarded = reward.proof.player, reward.proof.amount
        amount = max(1, rewarded * share // 100)
        refusal = (
            "RewardAlreadyReversed" if reward.reversed
            else "RewardReversalExceedsReward" if amount > rewarded
            else "PlayerInsufficientBalance" if amount > self.balance[p] else None
        )  # fmt: skip
        proof = reward.proof
        args = (proof.id, proof.campaign_id, proof.first_seq, proof.records, proof.index)
        reason = text_to_bytes("review")
        if self._send(self.client.encode("reverse", args, amount, reason), refusal):
            reward.reversed = True
            ref = proof.seq.to_bytes(32, "big")
            self._entry(EntryKind.REVERSED, reward.campaign, p, amount, ref, reason)
            self.balance[p] -= amount
            self.totals[2] += amount

    def _credit(self, player: bytes, campaign: bytes, amount: int) -> None:
        self.balance[player] += amount
        self.earned[player] += amount
        self.issued[campaign] += amount
        self.totals[0] += amount

    @invariant()
    def chain_equals_model(self) -> None:
        for p in PLAYERS:
            state = self.client.player(p)
            assert (state.balance, state.earned) == (self.balance[p], self.earned[p])
        for c in CAMPAIGNS:
            assert self.client.campaign(c).issued == self.issued[c] <= BUDGETS[c]
        totals = self.client.totals()
        assert [totals.issued, totals.paid, totals.reversed, totals.expired] == self.totals
        assert self.client.chain_state() == (len(self.entries), chain_head(self.entries))

    def teardown(self) -> None:
        for ref in REFS:
            assert (self.client.reference_of(ref) != ZERO32) == (ref in self.used)


def test_random_operation_sequences_keep_every_invariant(w3: Web3, operator: LocalAccount) -> None:
    LedgerModel.w3, LedgerModel.account = w3, operator
    run_state_machine_as_test(
        LedgerModel,
        settings=settings(
            max_examples=10, stateful_step_count=20, deadline=None, suppress_health_check=list(HealthCheck)
        ),
    )
