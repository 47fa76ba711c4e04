"""Cash-out actions and views: reserves, bindings, limits, withdrawals and token payouts.

Every action is estimated before it is sent (a refusal comes back as the contract's named error
and nothing is sent). A player's withdrawal is named by a request id of the player's choosing:
the contract spends `keccak256(abi.encode(player, requestId))` as the payout's reference, so a
request retried after a crash lands once, and `withdraw` answers a landed request without
sending.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from eth_abi.abi import encode
from eth_utils.crypto import keccak

from ledger.chain.client import TRANSPORT_ERRORS, LedgerClient
from ledger.chain.sender import Receipt, Sender
from ledger.encoding import checksum
from ledger.errors import ConfigError, EventDecodeError, NodeError
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


def _view(client: LedgerClient, name: str, *args: Any) -> Any:
    try:
        return getattr(client.contract.functions, name)(*args).call()
    except TRANSPORT_ERRORS as exc:
        raise NodeError(f"the node stopped answering: {type(exc).__name__}") from exc


def cashout_state(client: LedgerClient) -> CashoutState:
    token, funded, reserves, liability = _view(client, "cashoutState")
    return CashoutState(checksum(token), bool(funded), int(reserves), int(liability))


def binding_of(client: LedgerClient, player: bytes) -> Binding:
    account, active_from = _view(client, "bindingOf", player)
    return Binding(checksum(account), int(active_from))


def withdrawal_limits(client: LedgerClient) -> tuple[int, int]:
    per_withdrawal, per_day = _view(client, "withdrawalLimits")
    return int(per_withdrawal), int(per_day)


def withdrawn_today(client: LedgerClient, player: bytes) -> int:
    return int(_view(client, "withdrawnToday", player))


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


def withdrawal_ref(player: bytes, request_id: bytes) -> bytes:
    """The payout reference a player's withdrawal spends: keccak256(abi.encode(player, requestId))."""
    return keccak(encode(["bytes32", "bytes32"], [player, request_id]))


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
    client: LedgerClient, sender: Sender, player: bytes, amount: int, request_id: bytes
) -> Settled | int:
    """The player's withdrawal from the bound address `sender`; if the request already landed,
    its entry's seq instead (nothing is sent)."""
    landed = client.reference_of(withdrawal_ref(player, request_id))
    if landed != bytes(32):
        return int.from_bytes(landed, "big")
    receipt = sender.transact(client.address, client.encode("withdraw", player, amount, request_id))
    return settled_of(client, receipt)


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
