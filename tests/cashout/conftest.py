"""A ledger that settles in a test token: the operator holds every role (KYC too), players have
their own funded accounts, and withdrawal limits are set wide."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from typing import Any

import pytest
from eth_account import Account
from eth_account.signers.local import LocalAccount
from web3 import Web3
from web3.contract import Contract

from ledger.cashout.ops import bind_address, set_limits
from ledger.cashout.tokens import deploy_token, test_tokens
from ledger.chain.client import LedgerClient
from ledger.chain.sender import Sender
from ledger.encoding import text_to_bytes
from ledger.ops.deploy import deploy_ledger
from ledger.ops.entries import set_role
from tests.conftest import LedgerHarness, fund

WIDE = 10**24


@dataclass
class CashHarness(LedgerHarness):
    token: Contract = field(default=None)  # type: ignore[assignment]
    name: str = "TestStablecoin"
    fund_method: str = "anvil_setBalance"  # hardhat_setBalance on Hardhat

    def call(self, sender: Sender, name: str, *args: Any) -> None:
        sender.transact(self.client.address, self.client.encode(name, *args))

    def token_tx(self, sender: Sender, name: str, *args: Any) -> None:
        data = bytes.fromhex(self.token.encode_abi(name, args=list(args)).removeprefix("0x"))
        sender.transact(self.token.address, data)

    def cash_out(self, wallet: Sender, player: bytes, amount: int, nonce: int | None = None) -> None:
        """Sends `withdraw` from `wallet` with the player's next withdrawal number (or `nonce`)."""
        count = int(self.client.contract.functions.withdrawalsOf(player).call()[1])
        self.call(wallet, "withdraw", player, amount, count if nonce is None else nonce)

    def mint(self, to: str, amount: int) -> None:
        self.token_tx(self.sender, "mint", to, amount)

    def balance(self, account: str) -> int:
        return int(self.token.functions.balanceOf(account).call())

    def player_account(self, player: bytes) -> Sender:
        """A new funded account, bound to `player` as its withdrawal address."""
        account: LocalAccount = Account.create()
        fund(self.w3, account.address, method=self.fund_method)
        bind_address(
            self.client, self.sender, player, account.address, text_to_bytes("kyc-" + secrets.token_hex(4))
        )
        return Sender(self.w3, account, timeout=60)


def deploy_cash(
    w3: Web3, operator: LocalAccount, name: str = "TestStablecoin", funded: bool = True, deposit: int = 0
) -> CashHarness:
    sender = Sender(w3, operator, timeout=60)
    token_address = deploy_token(sender, name)
    deployment = deploy_ledger(sender, token=token_address, funded=funded)
    client = LedgerClient(w3, deployment.address)
    for role in ("issuer", "payer", "pauser", "kyc"):
        set_role(client, sender, role, operator.address, granted=True)
    set_limits(client, sender, WIDE, WIDE)
    token = w3.eth.contract(address=Web3.to_checksum_address(token_address), abi=test_tokens()[name].abi)
    cash = CashHarness(w3, client, sender, operator, deployment.block_number, token, name)
    if deposit:
        cash.mint(operator.address, deposit)
        cash.token_tx(sender, "approve", client.address, deposit)
        cash.call(sender, "depositReserves", deposit)
    return cash


@pytest.fixture
def cash(w3: Web3, operator: LocalAccount) -> CashHarness:
    """A funded ledger settling in the 6-decimal test stablecoin, with 1,000,000 units deposited."""
    return deploy_cash(w3, operator, deposit=1_000_000)
