"""Audit fixtures: one ledger with every kind of activity per module, and a fresh mirror of it per test."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any

import pytest
from eth_account.signers.local import LocalAccount
from sqlalchemy import Engine
from web3 import Web3

from ledger.encoding import text_to_bytes
from ledger.ops.entries import EntryResult, record_payout
from tests.conftest import LedgerHarness, deploy_on
from tests.indexer.conftest import every_kind, index


@dataclass(frozen=True)
class Activity:
    """A ledger with every event the contract emits, and two more payouts to point at each other."""

    ledger: LedgerHarness
    made: dict[str, Any]
    payouts: tuple[EntryResult, EntryResult]
    amounts: tuple[int, int]


@pytest.fixture(scope="module")
def activity(w3: Web3, operator: LocalAccount) -> Activity:
    ledger = deploy_on(w3, operator)
    made = every_kind(ledger)
    amounts = (111, 222)
    payouts = (
        record_payout(
            ledger.client, ledger.sender, made["alice"], amounts[0], text_to_bytes(secrets.token_hex(8))
        ),
        record_payout(
            ledger.client, ledger.sender, made["bob"], amounts[1], text_to_bytes(secrets.token_hex(8))
        ),
    )
    return Activity(ledger, made, payouts, amounts)


@pytest.fixture
def mirrored(activity: Activity, engine: Engine) -> Engine:
    """A fresh mirror of the module's ledger, caught up to the chain's head."""
    index(activity.ledger, engine)
    return engine
