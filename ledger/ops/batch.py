"""Bulk issuance: canonical batches, readable batch ids, and sending them many in flight.

Planning does not depend on the file's bytes: the rows to send are put in a canonical order (by
reference) and cut into batches, and each batch id is a short label (from the file name) and a
hash of the campaign and the batch's rows, as text in the bytes32, e.g.
`cashback-week-1.3f2a9c1b0d4e5f60`. The same rows saved with other line endings, a BOM or in
another order make the same batches with the same ids. A batch id the chain has seen is checked
against the commitment the contract stored for it: the same content is a batch that landed,
other content is a conflict, never a silent skip.

`ledger.ops.issuance` decides which rows to send (after looking their references up); this
module plans and sends them.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from eth_abi.abi import encode
from eth_utils.crypto import keccak

from ledger.chain.client import LedgerClient
from ledger.chain.sender import Sender
from ledger.encoding import Row, bytes_to_text, pack_rows, row_ref_word
from ledger.errors import ContractRevert, InputError, ReferenceConflict, TransactionError
from ledger.events import decode_log, event_topic
from ledger.ops.csvfile import read_batch
from ledger.ops.lookup import scan_logs

BATCH_DOMAIN = b"rewards-ledger/batch/v2"
LABEL_CHARS = 15
HASH_CHARS = 16

Progress = Callable[[int], None]

# Gas a batch row may need at most (a first-time player: a new storage slot, calldata, the fold),
# and the fixed cost of a batch transaction; measured on the contract, with headroom.
GAS_PER_ROW = 26_500
GAS_PER_BATCH = 90_000


@dataclass(frozen=True)
class PlannedBatch:
    """One batch transaction: its id and its rows in canonical order."""

    batch_id: bytes
    campaign_id: bytes
    rows: tuple[Row, ...]

    @cached_property
    def records(self) -> bytes:
        return pack_rows(self.rows)

    @property
    def total(self) -> int:
        return sum(row.amount for row in self.rows)

    @property
    def name(self) -> str:
        return bytes_to_text(self.batch_id)

    def commitment(self, first_seq: int) -> bytes:
        """What the contract stores under the batch id had this batch landed at `first_seq`."""
        return keccak(
            encode(["uint256", "bytes32", "bytes32"], [first_seq, self.campaign_id, keccak(self.records)])
        )


@dataclass
class BatchOutcome:
    sent: int = 0
    skipped: int = 0
    rows_issued: int = 0
    rows_skipped: int = 0
    gas_used: int = 0


def batch_label(name: str) -> str:
    """A short label for batch ids from a file name: lowercase letters, digits and dashes."""
    stem = name.rsplit("/", 1)[-1].rsplit(".", 1)[0].lower()
    label = re.sub(r"[^a-z0-9]+", "-", stem).strip("-")[:LABEL_CHARS].strip("-")
    return label or "batch"


def canonical(rows: Sequence[Row]) -> list[Row]:
    """Rows in the order planning uses whatever the file's order: by reference."""
    return sorted(rows, key=lambda row: row_ref_word(row.ref))


def plan_batches(
    rows: Sequence[Row], campaign_id: bytes, rows_per_batch: int, label: str
) -> list[PlannedBatch]:
    """Cuts `rows` (in canonical order) into batches; each id binds the campaign and the rows."""
    if rows_per_batch < 1:
        raise InputError("rows per batch must be at least 1")
    ordered = canonical(rows)
    batches = []
    for start in range(0, len(ordered), rows_per_batch):
        chunk = tuple(ordered[start : start + rows_per_batch])
        digest = keccak(BATCH_DOMAIN + campaign_id + pack_rows(chunk)).hex()[:HASH_CHARS]
        batch_id = f"{batch_label(label)}.{digest}".encode().ljust(32, b"\x00")
        batches.append(PlannedBatch(batch_id, campaign_id, chunk))
    return batches


def preflight(client: LedgerClient, account: str, campaign_id: bytes, amount: int) -> None:
    """Refuses, before anything is sent, what the contract would refuse for the whole run."""
    if not client.has_role("issuer", account):
        raise InputError(f"account {account} lacks the issuer role: `ledger roles grant issuer {account}`")
    if client.paused():
        raise InputError("the ledger is paused")
    campaign = client.campaign(campaign_id)
    name = bytes_to_text(campaign_id)
    if not campaign.exists:
        raise InputError(f"campaign {name} does not exist")
    if campaign.closed:
        raise InputError(f"campaign {name} is closed")
    now = int(client.w3.eth.get_block("latest")["timestamp"])
    if now < campaign.start or now >= campaign.end:
        raise InputError(
            f"campaign {name} is not open now (it is open from {campaign.start} to {campaign.end})"
        )
    if amount > campaign.remaining:
        raise InputError(
            f"campaign {name} has {campaign.remaining} left of its budget; the rows to send need {amount}"
        )


def landed_batch(client: LedgerClient, batch: PlannedBatch, stored: bytes, from_block: int) -> int | None:
    """The first seq of `batch` if the id's stored commitment is this very batch's; None if the
    id's transaction is not mined yet. Other content under the id is a `ReferenceConflict`."""
    head = int(client.w3.eth.block_number)
    topic = [event_topic("BatchIssued")]
    for raw in scan_logs(client, topic, from_block, head, more_topics=[batch.batch_id]):
        first_seq = int(decode_log(raw).args["firstSeq"])
        if batch.commitment(first_seq) == stored:
            return first_seq
        raise ReferenceConflict(
            f"batch id {batch.name} was used for other rows (entries from {first_seq}); nothing was sent",
            seq=first_seq,
        )
    return None


def split_landed(
    client: LedgerClient, batches: Sequence[PlannedBatch], from_block: int
) -> tuple[list[PlannedBatch], list[PlannedBatch]]:
    """(to send, landed): the batches whose ids the chain (pending block included) has not seen,
    and those it recorded with exactly this content."""
    stored = client.references_of([b.batch_id for b in batches], block="pending")
    todo, landed = [], []
    for batch, value in zip(batches, stored, strict=True):
        if value == b"\x00" * 32:
            todo.append(batch)
        elif landed_batch(client, batch, value, from_block) is not None:
            landed.append(batch)
        else:
            raise TransactionError(f"batch {batch.name} is in a transaction not mined yet: re-run once it is")
    return todo, landed


def send_batches(
    client: LedgerClient,
    sender: Sender,
    batches: Sequence[PlannedBatch],
    from_block: int,
    max_in_flight: int = 32,
    progress: Progress | None = None,
) -> BatchOutcome:
    """Sends `batches`, `max_in_flight` at a time, and waits for them.

    The first batch is estimated (any refusal surfaces, decoded, before anything is sent); the
    rest get a gas limit from the per-row bound, because estimating each batch made the node
    execute every batch twice and halved the throughput. A batch whose transaction reverted
    because its id was used counts as landed if the chain holds this very batch under the id
    (an earlier signature of the same call landed); anything else is an error.
    """
    outcome = BatchOutcome()
    per_row = GAS_PER_ROW
    for window_start in range(0, len(batches), max_in_flight):
        window = batches[window_start : window_start + max_in_flight]
        hashes: list[bytes] = []
        for batch in window:
            data = client.encode("issueBatch", batch.batch_id, batch.campaign_id, batch.records)
            if window_start == 0 and not hashes:
                per_row = max(per_row, _estimate_per_row(client, sender, batch, data, from_block))
            gas = GAS_PER_BATCH + per_row * len(batch.rows)
            hashes.append(sender.send(client.address, data, gas, note=f"batch {batch.name}"))
        for batch, receipt in zip(window, sender.wait(hashes, check=False), strict=True):
            if receipt.status != 1 and not _landed_anyway(client, batch, from_block):
                raise TransactionError(
                    f"batch {batch.name} reverted in block {receipt.block_number} "
                    f"(tx 0x{receipt.tx_hash.hex()}); re-running is safe"
                )
            outcome.sent += 1
            outcome.rows_issued += len(batch.rows)
            outcome.gas_used += receipt.gas_used
            if progress:
                progress(len(batch.rows))
    return outcome


def _estimate_per_row(
    client: LedgerClient, sender: Sender, batch: PlannedBatch, data: bytes, from_block: int
) -> int:
    """Gas per row from estimating `batch`; a batch whose id holds this very batch estimates as
    the bound (it is sent, reverts cheaply, and counts as landed)."""
    try:
        return (sender.estimate(client.address, data) - GAS_PER_BATCH) // len(batch.rows)
    except ContractRevert as exc:
        if is_reference_used(exc, batch.batch_id) and _landed_anyway(client, batch, from_block):
            return GAS_PER_ROW
        raise


def _landed_anyway(client: LedgerClient, batch: PlannedBatch, from_block: int) -> bool:
    stored = client.reference_of(batch.batch_id)
    return stored != b"\x00" * 32 and landed_batch(client, batch, stored, from_block) is not None


def is_reference_used(exc: ContractRevert, ref: bytes) -> bool:
    """Whether a refusal is `LedgerReferenceUsed` for this very reference or id."""
    return exc.name == "LedgerReferenceUsed" and exc.args_by_name.get("ref") == ref


# ---------------------------------------------------------------- the earlier interface
# The demo and the benchmarks drive batches directly (their rows are fresh by construction);
# operator writes go through `ledger.ops.issuance`, which looks every reference up first.


@dataclass(frozen=True)
class BatchPlan:
    campaign_id: bytes
    batches: list[PlannedBatch]

    @property
    def rows(self) -> int:
        return sum(len(b.rows) for b in self.batches)


def read_batch_file(path: Path) -> tuple[list[Row], str]:
    """The rows of a batch file (validated, in file order) and a label for its batch ids."""
    batch_file = read_batch(path)
    return batch_file.rows, batch_file.name


def make_plan(rows: Sequence[Row], label: str, campaign_id: bytes, rows_per_batch: int) -> BatchPlan:
    return BatchPlan(campaign_id, plan_batches(rows, campaign_id, rows_per_batch, label))


def load_or_save_plan(directory: Path, plan: BatchPlan) -> BatchPlan:
    """Plans derive from the rows alone now, so there is nothing to keep: `plan` itself."""
    return plan


def run_plan(
    client: LedgerClient,
    sender: Sender,
    plan: BatchPlan,
    rows: Sequence[Row] | None = None,
    max_in_flight: int = 32,
    progress: Progress | None = None,
) -> BatchOutcome:
    """Sends the plan's batches that have not landed (by batch id); `rows` is not needed any more."""
    todo, landed = split_landed(client, plan.batches, 0)
    skipped = sum(len(b.rows) for b in landed)
    if progress and skipped:
        progress(skipped)
    if todo:
        preflight(client, sender.address, plan.campaign_id, sum(b.total for b in todo))
    outcome = send_batches(client, sender, todo, 0, max_in_flight, progress)
    outcome.skipped, outcome.rows_skipped = len(landed), skipped
    return outcome
