"""Single ledger actions: campaigns, issue, payout, reverse, expire, pause and roles.

Each one is estimated before it is sent, so a refusal comes back as the contract's named error
and nothing is sent.
"""

from __future__ import annotations

from dataclasses import dataclass

from ledger.artifact import role_id
from ledger.chain.client import LedgerClient
from ledger.chain.sender import Receipt, Sender
from ledger.encoding import checksum
from ledger.errors import EventDecodeError
from ledger.events import decode_log
from ledger.ops.lookup import RewardProof


@dataclass(frozen=True)
class EntryResult:
    seq: int
    head: bytes
    tx_hash: bytes
    block_number: int
    gas_used: int


def entry_result(client: LedgerClient, receipt: Receipt, event: str) -> EntryResult:
    for raw in receipt.logs:
        if raw["address"].lower() != client.address.lower():
            continue
        try:
            decoded = decode_log(raw)
        except EventDecodeError:
            continue
        if decoded.name == event:
            return EntryResult(
                decoded.args["seq"],
                decoded.args["head"],
                receipt.tx_hash,
                receipt.block_number,
                receipt.gas_used,
            )
    raise EventDecodeError(f"transaction 0x{receipt.tx_hash.hex()} emitted no {event}")


def create_campaign(
    client: LedgerClient,
    sender: Sender,
    campaign_id: bytes,
    budget: int,
    terms_hash: bytes,
    start: int,
    end: int,
) -> Receipt:
    return sender.transact(
        client.address, client.encode("createCampaign", campaign_id, budget, terms_hash, start, end)
    )


def close_campaign(client: LedgerClient, sender: Sender, campaign_id: bytes) -> Receipt:
    return sender.transact(client.address, client.encode("closeCampaign", campaign_id))


def issue_one(
    client: LedgerClient, sender: Sender, campaign_id: bytes, player: bytes, amount: int, ref: bytes
) -> EntryResult:
    receipt = sender.transact(client.address, client.encode("issue", campaign_id, player, amount, ref))
    return entry_result(client, receipt, "RewardIssued")


def record_payout(
    client: LedgerClient, sender: Sender, player: bytes, amount: int, ref: bytes
) -> EntryResult:
    receipt = sender.transact(client.address, client.encode("recordPayout", player, amount, ref))
    return entry_result(client, receipt, "PayoutRecorded")


def expire_balance(
    client: LedgerClient, sender: Sender, player: bytes, amount: int, ref: bytes, reason: bytes
) -> EntryResult:
    receipt = sender.transact(client.address, client.encode("expire", player, amount, ref, reason))
    return entry_result(client, receipt, "BalanceExpired")


def reverse_reward(
    client: LedgerClient, sender: Sender, proof: RewardProof, amount: int, reason: bytes
) -> EntryResult:
    args = (proof.id, proof.campaign_id, proof.first_seq, proof.records, proof.index)
    receipt = sender.transact(client.address, client.encode("reverse", args, amount, reason))
    return entry_result(client, receipt, "RewardReversed")


def set_paused(client: LedgerClient, sender: Sender, paused: bool) -> Receipt:
    return sender.transact(client.address, client.encode("pause" if paused else "unpause"))


def set_role(client: LedgerClient, sender: Sender, role: str, account: str, granted: bool) -> Receipt:
    name = "grantRole" if granted else "revokeRole"
    return sender.transact(client.address, client.encode(name, role_id(role), checksum(account)))
