"""Single writes that are safe to repeat: issue, payout and expire, each under the write lock.

A repeat with the same reference and the same content is answered with the entry that recorded
it (`Recorded.new` is False) and sends nothing; the same reference with other content is a
`ReferenceConflict` naming the existing entry. A reward's reference is looked up across the
whole ledger, single issues and batch rows alike (see `ledger.ops.landed`); payout and expiry
references through the contract's `referenceOf`, which holds the entry's seq.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from ledger.chain.sender import Receipt, Sender
from ledger.encoding import bytes_to_text
from ledger.errors import ContractRevert, ReferenceConflict, TransactionError
from ledger.events import decode_log, event_topic
from ledger.ops.batch import is_reference_used
from ledger.ops.entries import EntryResult, entry_result
from ledger.ops.lookup import scan_logs
from ledger.ops.writer import Writer

ZERO = b"\x00" * 32
MAX_SEQ = 2**64  # `referenceOf` holds a seq for payouts and expiries, a 256-bit hash for issuance


@dataclass(frozen=True)
class Recorded:
    """The entry that holds a write: new now, or recorded before under the same reference."""

    seq: int
    new: bool
    tx_hash: bytes | None = None
    block_number: int | None = None


def _recorded(result: EntryResult) -> Recorded:
    return Recorded(result.seq, True, result.tx_hash, result.block_number)


def issue_reward(writer: Writer, campaign_id: bytes, player: bytes, amount: int, ref: bytes) -> Recorded:
    """Issues one reward under `ref` unless that reference already holds a reward."""
    client = writer.client
    with writer.writing(f"issue {bytes_to_text(ref)}") as sender:

        def existing() -> Recorded | None:
            landed = writer.find_rewards([ref])[0].get(ref)
            if landed is None:
                return None
            if landed.same_content(campaign_id, player, amount):
                return Recorded(landed.seq, False)
            raise ReferenceConflict(
                f"reference {bytes_to_text(ref)} is already entry {landed.seq} (campaign "
                f"{bytes_to_text(landed.campaign_id)}, player 0x{landed.player.hex()}, amount {landed.amount}); "
                "nothing was sent",
                seq=landed.seq,
            )

        found = existing()
        if found is not None:
            return found
        stored = client.reference_of(ref, block="pending")
        if stored != ZERO:
            raise _used_elsewhere(ref, stored)
        data = client.encode("issue", campaign_id, player, amount, ref)
        return _send(sender, client.address, data, ref, "RewardIssued", existing, writer)


def record_payout(writer: Writer, player: bytes, amount: int, ref: bytes) -> Recorded:
    """Records a payout under `ref` unless that reference already holds one."""
    with writer.writing(f"payout {bytes_to_text(ref)}") as sender:
        return _debit(writer, sender, "PayoutRecorded", player, amount, ref, None)


def expire_balance(writer: Writer, player: bytes, amount: int, ref: bytes, reason: bytes) -> Recorded:
    """Expires part of a balance under `ref` unless that reference already holds an expiry."""
    with writer.writing(f"expire {bytes_to_text(ref)}") as sender:
        return _debit(writer, sender, "BalanceExpired", player, amount, ref, reason)


def _debit(
    writer: Writer, sender: Sender, event: str, player: bytes, amount: int, ref: bytes, reason: bytes | None
) -> Recorded:
    client = writer.client

    def existing() -> Recorded | None:
        stored = client.reference_of(ref, block="pending")
        if stored == ZERO:
            return None
        seq = int.from_bytes(stored, "big")
        if seq >= MAX_SEQ:
            raise _used_elsewhere(ref, stored)
        head = int(client.w3.eth.block_number)
        for raw in scan_logs(client, [event_topic(event)], writer.deploy_block, head, more_topics=[player]):
            a = decode_log(raw).args
            if a["seq"] == seq:
                if a["amount"] == amount and (reason is None or a["reason"] == reason):
                    return Recorded(seq, False)
                break
        raise ReferenceConflict(
            f"reference {bytes_to_text(ref)} is already entry {seq}, recorded with other content "
            "(another player, amount, kind or reason); nothing was sent",
            seq=seq,
        )

    found = existing()
    if found is not None:
        return found
    args = (player, amount, ref) if reason is None else (player, amount, ref, reason)
    data = client.encode("recordPayout" if reason is None else "expire", *args)
    return _send(sender, client.address, data, ref, event, existing, writer)


def _send(
    sender: Sender,
    to: str,
    data: bytes,
    ref: bytes,
    event: str,
    existing: Callable[[], Recorded | None],
    writer: Writer,
) -> Recorded:
    """Estimates, sends and waits; a refusal or revert because `ref` was used meanwhile (an
    earlier signature of this very call landed) is answered with the entry that holds it."""
    try:
        gas = sender.estimate(to, data)
    except ContractRevert as exc:
        if is_reference_used(exc, ref) and (found := existing()) is not None:
            return found
        raise
    receipt: Receipt = sender.wait(
        [sender.send(to, data, gas, note=f"{event} {bytes_to_text(ref)}")], check=False
    )[0]
    if receipt.status != 1:
        found = existing()
        if found is not None:
            return found
        raise TransactionError(
            f"transaction 0x{receipt.tx_hash.hex()} reverted in block {receipt.block_number}"
        )
    return _recorded(entry_result(writer.client, receipt, event))


def _used_elsewhere(ref: bytes, stored: bytes) -> ReferenceConflict:
    value = int.from_bytes(stored, "big")
    what = (
        f"entry {value} (a payout or an expiry)" if value < MAX_SEQ else "a batch id or a reward's issuance"
    )
    return ReferenceConflict(
        f"reference {bytes_to_text(ref)} is already used on chain by {what}; nothing was sent",
        seq=value if value < MAX_SEQ else None,
    )
