"""Cash-out actions and views: reserves, bindings, limits, withdrawals and token payouts.

Every action is estimated before it is sent (a refusal comes back as the contract's named error
and nothing is sent). A player's withdrawal names its number (the player's count of withdrawals when it was asked):
each number lands once, so a request retried after a crash with the same number never pays
twice, and `withdraw` answers a landed number without sending.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from eth_abi.abi import encode
from eth_utils.crypto import keccak
from web3.types import BlockIdentifier

from ledger.chain.client import TRANSPORT_ERRORS, LedgerClient
from ledger.chain.sender import Receipt, Sender
from ledger.encoding import checksum
from ledger.errors import ConfigError, EventDecodeError, InputError, NodeError
from ledger.events import decode_log
from ledger.ops.entries import EntryResult, entry_result

ERC20_ABI: list[dict[str, Any]] = [
    {"type": "function", "name": name, "stateMutability": mutability, "inputs": inputs, "outputs": outputs}
    for name, mutability, inputs, outputs in (
        ("approve", "nonpayable", [{"name": "s", "type": "address"}, {"name": "a", "type": "uint256"}], []),
        ("balanceOf", "view", [{"name": "o", "type": "address"}], [{"name": "", "type": "uint256"}]),
        ("transfer", "nonpayable", [{"name": "t", "type": "address"}, {"name": "a", "type": "uint256"}], []),
    )
]


@dataclass(frozen=True)
class CashoutState:
    token: str  # zero address: record-only
    funded: bool
    reserves: int
    liability: int

    @property
    def surplus(self) -> int:
        return max(self.reserves - self.liability, 0)

    @property
    def settles(self) -> bool:
        return int(self.token, 16) != 0


@dataclass(frozen=True)
class Binding:
    account: str  # zero address: none
    active_from: int


@dataclass(frozen=True)
class Settled:
    """A payout in tokens: its entry and the transfer that went with it."""

    entry: EntryResult
    to: str
    amount: int
    nonce: int | None = None  # a player's withdrawal: its number


def _view(client: LedgerClient, name: str, *args: Any, block: BlockIdentifier = "latest") -> Any:
    try:
        return getattr(client.contract.functions, name)(*args).call(block_identifier=block)
    except TRANSPORT_ERRORS as exc:
        raise NodeError(f"the node stopped answering: {type(exc).__name__}") from exc


def cashout_state(client: LedgerClient, block: BlockIdentifier = "latest") -> CashoutState:
    token, funded, reserves, liability = _view(client, "cashoutState", block=block)
    return CashoutState(checksum(token), bool(funded), int(reserves), int(liability))


def binding_of(client: LedgerClient, player: bytes) -> Binding:
    account, active_from = _view(client, "bindingOf", player)
    return Binding(checksum(account), int(active_from))


def withdrawal_limits(client: LedgerClient) -> tuple[int, int]:
    per_withdrawal, per_day = _view(client, "withdrawalLimits")
    return int(per_withdrawal), int(per_day)


def withdrawals_of(client: LedgerClient, player: bytes) -> tuple[int, int]:
    """(withdrawn in the current UTC day, withdrawals made: the next one's number)."""
    today, count = _view(client, "withdrawalsOf", player)
    return int(today), int(count)


def token_balance(client: LedgerClient, token: str, account: str) -> int:
    contract = client.w3.eth.contract(address=checksum(token), abi=ERC20_ABI)
    try:
        return int(contract.functions.balanceOf(checksum(account)).call())
    except TRANSPORT_ERRORS as exc:
        raise NodeError(f"the node stopped answering: {type(exc).__name__}") from exc


def settlement_token(client: LedgerClient) -> str:
    state = cashout_state(client)
    if not state.settles:
        raise ConfigError(f"the ledger at {client.address} settles in no token (record-only)")
    return state.token


def withdrawal_ref(player: bytes, nonce: int) -> bytes:
    """The reference withdrawal number `nonce` of a player folds: keccak256(abi.encode(player, nonce))."""
    return keccak(encode(["bytes32", "uint256"], [player, nonce]))


# ---------------------------------------------------------------- actions


def deposit_reserves(client: LedgerClient, sender: Sender, amount: int) -> Receipt:
    """Approves the ledger for `amount` of the settlement token, then deposits it."""
    token = client.w3.eth.contract(address=checksum(settlement_token(client)), abi=ERC20_ABI)
    approve = bytes.fromhex(token.encode_abi("approve", args=[client.address, amount]).removeprefix("0x"))
    sender.transact(token.address, approve, note="approve reserves")
    return sender.transact(client.address, client.encode("depositReserves", amount), note="deposit reserves")


def withdraw_surplus(client: LedgerClient, sender: Sender, to: str, amount: int) -> Receipt:
    return sender.transact(client.address, client.encode("withdrawSurplus", checksum(to), amount))


def bind_address(
    client: LedgerClient, sender: Sender, player: bytes, account: str, attestation: bytes
) -> Receipt:
    data = client.encode("bindWithdrawalAddress", player, checksum(account), attestation)
    return sender.transact(client.address, data)


def set_limits(client: LedgerClient, sender: Sender, per_withdrawal: int, per_day: int) -> Receipt:
    return sender.transact(client.address, client.encode("setWithdrawalLimits", per_withdrawal, per_day))


def withdraw(
    client: LedgerClient, sender: Sender, player: bytes, amount: int, nonce: int | None = None
) -> Settled | int:
    """The player's withdrawal number `nonce` (default: the next) from the bound address `sender`.
    If that number already landed, returns it instead and sends nothing."""
    count = withdrawals_of(client, player)[1]
    if nonce is None:
        nonce = count
    elif nonce < count:
        return nonce
    elif nonce > count:
        raise InputError(f"withdrawal #{nonce} is ahead of the player's next, #{count}")
    receipt = sender.transact(client.address, client.encode("withdraw", player, amount, nonce))
    return replace(settled_of(client, receipt), nonce=nonce)


def settle_payout(client: LedgerClient, sender: Sender, player: bytes, amount: int, ref: bytes) -> Settled:
    """A payer's token payout to the player's bound address."""
    receipt = sender.transact(client.address, client.encode("settlePayout", player, amount, ref))
    return settled_of(client, receipt)


def settled_of(client: LedgerClient, receipt: Receipt) -> Settled:
    entry = entry_result(client, receipt, "PayoutRecorded")
    for raw in receipt.logs:
        if raw["address"].lower() != client.address.lower():
            continue
        try:
            event = decode_log(raw)
        except EventDecodeError:
            continue
        if event.name == "PayoutSettled" and event.args["seq"] == entry.seq:
            return Settled(entry, checksum(event.args["to"]), int(event.args["amount"]))
    raise EventDecodeError(f"transaction 0x{receipt.tx_hash.hex()} emitted no PayoutSettled")
