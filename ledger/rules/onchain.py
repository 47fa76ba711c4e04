"""Rules versions and period commitments on the ledger: writing them, and reading them back.

A period's rewards go out as period batches (`issuePeriodBatch`), whose ids are fixed by the
period and the batch's position, so a retried run finds what landed and sends only the rest; the
contract refuses any batch that would take the period past its committed total.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from eth_utils.crypto import keccak

from ledger.chain.client import LedgerClient
from ledger.chain.sender import Receipt, Sender
from ledger.encoding import Row, pack_rows, unpack_rows
from ledger.errors import NotFound, ReferenceConflict
from ledger.events import decode_log, event_topic
from ledger.ops.lookup import scan_logs

BATCH_DOMAIN = b"rewards-ledger/period-batch/v1"
ROWS_PER_BATCH = 500


@dataclass(frozen=True)
class Commitment:
    """A committed period, as the chain holds it (views and its one PeriodCommitted event)."""

    period: bytes
    campaign: bytes
    rules_hash: bytes
    root: bytes
    leaf_count: int
    total: int
    issued: int
    block: int


def set_rules(
    client: LedgerClient, sender: Sender, campaign: bytes, rules_hash: bytes, effective_from: int
) -> Receipt:
    data = client.encode("setCampaignRules", campaign, rules_hash, effective_from)
    return sender.transact(client.address, data, note="rules version")


def rules_version(client: LedgerClient, campaign: bytes, rules_hash: bytes) -> tuple[int, int]:
    """(version, effective from) of a rules hash for a campaign; version 0 if it is not one."""
    version, effective = client.contract.functions.rulesOf(campaign, rules_hash).call()
    return int(version), int(effective)


def commit_period(
    client: LedgerClient,
    sender: Sender,
    period: bytes,
    campaign: bytes,
    rules_hash: bytes,
    root: bytes,
    leaf_count: int,
    total: int,
) -> Receipt:
    data = client.encode("commitPeriod", period, campaign, rules_hash, root, leaf_count, total)
    return sender.transact(client.address, data, note="period commitment")


def period_batch_id(period: bytes, index: int) -> bytes:
    return keccak(BATCH_DOMAIN + period + index.to_bytes(32, "big"))


def issue_period(
    client: LedgerClient,
    sender: Sender,
    period: bytes,
    rows: Sequence[Row],
    rows_per_batch: int = ROWS_PER_BATCH,
) -> list[Receipt]:
    """Sends the period's rows in batches, skipping the batches that already landed; a batch
    that landed with other rows (another batch size, other rewards) stops the run before anything
    is sent, so no player is paid twice."""
    batches = [
        pack_rows(rows[start : start + rows_per_batch]) for start in range(0, len(rows), rows_per_batch)
    ]
    landed = landed_batches(client, period)
    for index, records in enumerate(batches):
        had = landed.get(period_batch_id(period, index))
        if had is not None and had != records:
            raise ReferenceConflict(
                f"batch {index} of period {_label(period)} landed with other rows than planned now "
                f"(another --rows-per-batch, or other rewards): nothing was sent"
            )
    receipts = []
    for index, records in enumerate(batches):
        batch_id = period_batch_id(period, index)
        if batch_id in landed:
            continue
        data = client.encode("issuePeriodBatch", batch_id, period, records)
        receipts.append(sender.transact(client.address, data, note=f"period batch {index}"))
    return receipts


def read_commitment(client: LedgerClient, period: bytes, from_block: int = 0) -> Commitment:
    """The period's commitment; NotFound if the chain has none."""
    campaign, total, issued = client.contract.functions.periodOf(period).call()
    if campaign == b"\x00" * 32:
        raise NotFound(f"period {_label(period)} is not committed on this ledger")
    latest = client.w3.eth.block_number
    logs = list(scan_logs(client, [event_topic("PeriodCommitted")], from_block, latest, more_topics=[period]))
    if len(logs) != 1:
        raise NotFound(f"period {_label(period)}: expected one PeriodCommitted event, found {len(logs)}")
    event = decode_log(logs[0])
    args = event.args
    return Commitment(
        period, bytes(campaign), args["rulesHash"], args["root"], args["leafCount"], int(total), int(issued),
        event.location.block_number,
    )  # fmt: skip


def landed_batches(client: LedgerClient, period: bytes, from_block: int = 0) -> dict[bytes, bytes]:
    """The period's batches on chain: batch id -> records, in the order they landed."""
    latest = client.w3.eth.block_number
    marks = scan_logs(client, [event_topic("PeriodBatchIssued")], from_block, latest, more_topics=[period])
    landed = {}
    for mark in marks:
        batch_id = decode_log(mark).args["batchId"]
        (raw,) = scan_logs(client, [event_topic("BatchIssued")], from_block, latest, more_topics=[batch_id])
        landed[batch_id] = decode_log(raw).args["records"]
    return landed


def period_rows(client: LedgerClient, period: bytes, from_block: int = 0) -> list[Row]:
    """Every row the period's batches issued, in the order they were issued."""
    return [
        row for records in landed_batches(client, period, from_block).values() for row in unpack_rows(records)
    ]


def _label(period: bytes) -> str:
    text = period.rstrip(b"\x00")
    try:
        decoded = text.decode("utf-8")
        if decoded.isprintable():
            return decoded
    except UnicodeDecodeError:
        pass
    return "0x" + period.hex()
