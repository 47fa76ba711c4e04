"""The indexer mirrors a funded ledger's whole life (reserves, bindings, withdrawals, token payouts
beside issuance, reversals and expiries): the mirror reconciles with the chain, withdrawals are
payouts in every figure, and each settlement's recipient is kept with its event."""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.engine import Engine

from ledger.audit.reconcile import reconcile
from ledger.cashout.ops import cashout_state, settle_payout, withdraw, withdraw_surplus
from ledger.db import tables as t
from ledger.encoding import text_to_bytes
from ledger.ops.entries import expire_balance, reverse_reward
from ledger.ops.lookup import find_reward
from tests.cashout.conftest import CashHarness
from tests.conftest import random_player
from tests.indexer.conftest import assert_mirror_is_canonical, index


def test_the_mirror_of_a_funded_ledger_reconciles_and_keeps_each_recipient(
    cash: CashHarness, engine: Engine, tmp_path: Path
) -> None:
    cid, player, other = cash.campaign(), random_player(), random_player()
    cash.issue(cid, player, 3_000)
    cash.issue(cid, other, 500)
    wallet = cash.player_account(player)
    withdraw(cash.client, wallet, player, 700)
    settle_payout(cash.client, cash.sender, player, 300, text_to_bytes("push-1"))
    reverse_reward(cash.client, cash.sender, find_reward(cash.client, 2), 100, text_to_bytes("fraud"))
    expire_balance(cash.client, cash.sender, player, 50, text_to_bytes("exp-1"), text_to_bytes("stale"))
    withdraw_surplus(cash.client, cash.sender, cash.account.address, 1_000)

    index(cash, engine)
    assert_mirror_is_canonical(cash, engine, tmp_path)
    with engine.connect() as conn:
        paid = conn.execute(select(t.totals.c.paid)).scalar()
        balance = conn.execute(
            select(t.players.c.balance).where(t.players.c.player == "0x" + player.hex())
        ).scalar()
        events = conn.execute(select(t.events.c.name, t.events.c.data)).all()
    assert int(paid) == 1_000 == cash.client.totals().paid
    assert int(balance) == 3_000 - 700 - 300 - 50 == cash.client.player(player).balance
    settled = [json.loads(data) for name, data in events if name == "PayoutSettled"]
    assert [(int(e["seq"]), e["to"].lower(), int(e["amount"])) for e in settled] == [
        (3, wallet.address.lower(), 700),
        (4, wallet.address.lower(), 300),
    ]
    names = {name for name, _ in events}
    assert {"ReservesDeposited", "WithdrawalAddressBound", "WithdrawalLimitsSet", "SurplusWithdrawn"} <= names

    with engine.begin() as conn:  # a mirror that under-reports the payouts over-reports the liability
        conn.execute(t.totals.update().values(paid=999))
    report = reconcile(cash.client, engine)
    found = {d.what: (d.chain, d.mirror) for d in report.differences}
    expected = (str(cashout_state(cash.client).liability), str(3_500 - 100 - 50 - 999))
    assert not report.ok and found["liability"] == expected
