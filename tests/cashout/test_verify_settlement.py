"""`ledger verify` checks each settled payout against the token's own transfer in the same
transaction: the real receipt passes; a receipt whose transfer is missing, smaller or elsewhere
is reported."""

from __future__ import annotations

import copy
from typing import Any

from ledger.cashout.ops import settle_payout, withdraw
from ledger.chain.rpc import Rpc
from ledger.encoding import text_to_bytes
from ledger.ops.entries import record_payout
from ledger.verify.settlements import TRANSFER_TOPIC, settlement_problems, settlement_token
from tests.cashout.conftest import CashHarness
from tests.conftest import random_player


def receipt_of(rpc: Rpc, tx_hash: bytes) -> dict[str, Any]:
    return dict(rpc.call("eth_getTransactionReceipt", ["0x" + tx_hash.hex()]))


def test_settled_payouts_match_their_token_transfers(cash: CashHarness) -> None:
    rpc = Rpc(cash.w3.provider.endpoint_uri)  # type: ignore[attr-defined]
    contract = cash.client.address
    token = settlement_token(rpc, contract)
    assert token == cash.token.address.lower()
    player = random_player()
    cash.issue(cash.campaign(), player, 900)
    wallet = cash.player_account(player)
    done = withdraw(cash.client, wallet, player, 300)
    assert not isinstance(done, int)
    pushed = settle_payout(cash.client, cash.sender, player, 100, text_to_bytes("push-1"))
    recorded = record_payout(cash.client, cash.sender, player, 50, text_to_bytes("wire-1"))
    receipt = receipt_of(rpc, done.entry.tx_hash)
    assert settlement_problems(done.entry.seq, receipt, contract, token) == []
    assert settlement_problems(pushed.entry.seq, receipt_of(rpc, pushed.entry.tx_hash), contract, token) == []
    assert settlement_problems(recorded.seq, receipt_of(rpc, recorded.tx_hash), contract, token) == []

    transfer = next(i for i, log in enumerate(receipt["logs"]) if log["topics"][0] == TRANSFER_TOPIC)
    missing = copy.deepcopy(receipt)
    del missing["logs"][transfer]
    smaller = copy.deepcopy(receipt)
    smaller["logs"][transfer]["data"] = hex(299)
    elsewhere = copy.deepcopy(receipt)
    elsewhere["logs"][transfer]["address"] = "0x" + "11" * 20
    for tampered in (missing, smaller, elsewhere):
        problems = settlement_problems(done.entry.seq, tampered, contract, token)
        assert [p.category for p in problems] == ["location"]
        assert f"settled 300 to {wallet.address.lower()}" in problems[0].message
