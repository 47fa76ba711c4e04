"""A player's check of their settled payouts: each `PayoutSettled` must come with the token's own
`Transfer` of the same amount, from the ledger to the named address, in the same transaction.

Pure over a transaction receipt as JSON-RPC returns it (hex strings); `settlement_token` asks the
node once for the ledger's token.
"""

from __future__ import annotations

from typing import Any

from eth_utils.crypto import keccak

from ledger.chain.rpc import Rpc
from ledger.errors import EventDecodeError
from ledger.events import decode_log
from ledger.verify.report import Problem

TRANSFER_TOPIC = "0x" + keccak(text="Transfer(address,address,uint256)").hex()
CASHOUT_STATE = "0x" + keccak(text="cashoutState()").hex()[:8]


def settlement_token(rpc: Rpc, contract: str) -> str:
    """The ledger's settlement token (zero address: record-only), fixed at deployment."""
    answer = str(rpc.call("eth_call", [{"to": contract, "data": CASHOUT_STATE}, "latest"]))
    return "0x" + answer[2:][24:64].lower()


def _word(value: str) -> int:
    return int(value, 16)


def settlement_problems(seq: int, receipt: dict[str, Any], contract: str, token: str) -> list[Problem]:
    """Problems with entry `seq`'s settlement in `receipt`: none for a payout only recorded."""
    logs = receipt.get("logs") or []
    settled = None
    for log in logs:
        if str(log.get("address", "")).lower() != contract.lower():
            continue
        try:
            event = decode_log(log)
        except EventDecodeError:
            continue
        if event.name == "PayoutSettled" and event.args["seq"] == seq:
            settled = event.args
    if settled is None:
        return []
    to, amount = str(settled["to"]).lower(), int(settled["amount"])
    for log in logs:
        topics = [str(t).lower() for t in log.get("topics") or []]
        if (
            str(log.get("address", "")).lower() == token
            and len(topics) == 3
            and topics[0] == TRANSFER_TOPIC
            and _word(topics[1]) == int(contract, 16)
            and _word(topics[2]) == int(to, 16)
            and _word(str(log.get("data") or "0x0")) == amount
        ):
            return []
    why = f"entry {seq}: settled {amount} to {to}, but the transaction has no transfer of it from the ledger in {token}"
    return [Problem("location", why, seq)]  # the transaction does not record what the entry says
