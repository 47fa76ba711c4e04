"""Bulk issuance from a CSV file: validate every row, plan batches, send, resume safely.

A plan fixes which rows go into which batch and each batch's id before anything is sent, and is
saved beside the node's data. The contract accepts a batch id once, so a re-run after a crash or
Ctrl-C skips the batches that landed and sends only the rest: nothing is issued twice.
"""

from __future__ import annotations

import csv
import hashlib
import json
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

from eth_utils.crypto import keccak

from ledger.chain.client import LedgerClient
from ledger.chain.sender import Receipt, Sender
from ledger.encoding import (
    MAX_ROW_AMOUNT,
    ROW_REF_BYTES,
    Row,
    bytes_to_text,
    pack_rows,
    parse_amount,
    parse_player_key,
    text_to_bytes,
)
from ledger.errors import InputError

REQUIRED_COLUMNS = ("player", "amount", "reference")
MAX_REPORTED_PROBLEMS = 20


@dataclass(frozen=True)
class Chunk:
    start: int  # first row (0-based, within the file's data rows)
    end: int  # one past the last row
    batch_id: str  # 0x-hex


@dataclass(frozen=True)
class BatchPlan:
    file_digest: str
    campaign_id: str
    rows: int
    chunks: list[Chunk]


@dataclass
class BatchOutcome:
    sent: int = 0
    skipped: int = 0
    rows_issued: int = 0
    rows_skipped: int = 0
    gas_used: int = 0


class BatchFileError(InputError):
    """A batch file with invalid rows; `problems` lists them with line numbers."""

    def __init__(self, path: Path, problems: list[str]) -> None:
        self.problems = problems
        shown = problems[:MAX_REPORTED_PROBLEMS]
        more = len(problems) - len(shown)
        lines = "\n".join(f"  {p}" for p in shown) + (f"\n  ... and {more} more" if more else "")
        super().__init__(f"{path.name}: {len(problems)} invalid row(s), nothing was sent\n{lines}")


def read_batch_file(path: Path) -> tuple[list[Row], str]:
    """Every row of a `player,amount,reference` CSV, validated; and the file's SHA-256."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read {path}: {exc.strerror}") from exc
    digest = hashlib.sha256(data).hexdigest()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(f"{path.name} is not UTF-8 text") from exc
    reader = csv.DictReader(text.splitlines())
    header = [c.strip().lower() for c in reader.fieldnames or []]
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    if missing:
        raise InputError(
            f"{path.name}: the header lacks column(s) {', '.join(missing)} (need player,amount,reference)"
        )
    reader.fieldnames = header
    rows: list[Row] = []
    problems: list[str] = []
    seen: dict[bytes, int] = {}
    for record in reader:
        line = reader.line_num
        try:
            row = _row(record)
        except InputError as exc:
            problems.append(f"line {line}: {exc}")
            continue
        if row.ref in seen:
            problems.append(f"line {line}: reference {bytes_to_text(row.ref)!r} repeats line {seen[row.ref]}")
            continue
        seen[row.ref] = line
        rows.append(row)
    if problems:
        raise BatchFileError(path, problems)
    if not rows:
        raise InputError(f"{path.name} has no rows")
    return rows, digest


def _row(record: dict[str, str | None]) -> Row:
    values = {c: (record.get(c) or "").strip() for c in REQUIRED_COLUMNS}
    if None in record or any(v is None for v in record.values()):
        raise InputError("wrong number of columns")
    player = parse_player_key(values["player"])
    amount = parse_amount(values["amount"], maximum=MAX_ROW_AMOUNT)
    if not values["reference"]:
        raise InputError("reference is empty")
    ref = text_to_bytes(values["reference"], ROW_REF_BYTES, what="reference")
    return Row(player, amount, ref)


def make_plan(rows: Sequence[Row], digest: str, campaign_id: bytes, rows_per_batch: int) -> BatchPlan:
    """Splits the file into batches; each id binds the campaign, the file and the row range."""
    if rows_per_batch < 1:
        raise InputError("rows per batch must be at least 1")
    chunks = []
    for start in range(0, len(rows), rows_per_batch):
        end = min(start + rows_per_batch, len(rows))
        seed = b"rewards-ledger/batch/v1" + campaign_id + bytes.fromhex(digest) + start.to_bytes(8, "big")
        batch_id = keccak(seed + end.to_bytes(8, "big") + pack_rows(rows[start:end]))
        chunks.append(Chunk(start, end, "0x" + batch_id.hex()))
    return BatchPlan(digest, "0x" + campaign_id.hex(), len(rows), chunks)


def load_or_save_plan(directory: Path, plan: BatchPlan) -> BatchPlan:
    """The plan saved for this file and campaign if there is one, else `plan`, saved now."""
    path = directory / f"{plan.file_digest}-{plan.campaign_id[2:18]}.json"
    if path.exists():
        saved = json.loads(path.read_text(encoding="utf-8"))
        return BatchPlan(
            saved["file_digest"], saved["campaign_id"], saved["rows"], [Chunk(**c) for c in saved["chunks"]]
        )
    directory.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(asdict(plan), indent=2) + "\n", encoding="utf-8")
    tmp.replace(path)
    return plan


Progress = Callable[[int], None]

# Gas a batch row may need at most (a first-time player: a new storage slot, calldata, the fold),
# and the fixed cost of a batch transaction; measured on the contract, with headroom.
GAS_PER_ROW = 26_500
GAS_PER_BATCH = 90_000


def preflight(client: LedgerClient, sender: Sender, campaign_id: bytes, amount: int) -> None:
    """Refuses, before anything is sent, what the contract would refuse for the whole run."""
    if not client.has_role("issuer", sender.address):
        raise InputError(f"account {sender.address} lacks the issuer role")
    if client.paused():
        raise InputError("the ledger is paused")
    campaign = client.campaign(campaign_id)
    name = bytes_to_text(campaign_id)
    if not campaign.exists:
        raise InputError(f"campaign {name} does not exist")
    if campaign.closed:
        raise InputError(f"campaign {name} is closed")
    if amount > campaign.remaining:
        raise InputError(
            f"campaign {name} has {campaign.remaining} left of its budget; the rows to send need {amount}"
        )


def pending_chunks(client: LedgerClient, plan: BatchPlan) -> list[Chunk]:
    """The plan's batches whose ids the chain (pending block included) has not seen yet."""
    landed = client.references_used([bytes.fromhex(c.batch_id[2:]) for c in plan.chunks], block="pending")
    return [chunk for chunk, used in zip(plan.chunks, landed, strict=True) if not used]


def run_plan(
    client: LedgerClient,
    sender: Sender,
    plan: BatchPlan,
    rows: Sequence[Row],
    max_in_flight: int = 32,
    progress: Progress | None = None,
) -> BatchOutcome:
    """Sends every batch of the plan that has not landed, `max_in_flight` at a time.

    The first batch is estimated (any refusal surfaces, decoded, before anything is sent); the
    rest get a gas limit from the per-row bound, because estimating each batch made the node
    execute every batch twice and halved the throughput.
    """
    campaign_id = bytes.fromhex(plan.campaign_id[2:])
    todo = pending_chunks(client, plan)
    outcome = BatchOutcome(skipped=len(plan.chunks) - len(todo))
    outcome.rows_skipped = plan.rows - sum(c.end - c.start for c in todo)
    if progress and outcome.rows_skipped:
        progress(outcome.rows_skipped)
    if not todo:
        return outcome
    preflight(client, sender, campaign_id, sum(r.amount for c in todo for r in rows[c.start : c.end]))
    per_row = GAS_PER_ROW
    for window_start in range(0, len(todo), max_in_flight):
        window = todo[window_start : window_start + max_in_flight]
        hashes: list[bytes] = []
        for chunk in window:
            data = client.encode("issueBatch", bytes.fromhex(chunk.batch_id[2:]), campaign_id,
                                 pack_rows(rows[chunk.start : chunk.end]))  # fmt: skip
            size = chunk.end - chunk.start
            if not hashes and window_start == 0:
                per_row = max(per_row, (sender.estimate(client.address, data) - GAS_PER_BATCH) // size)
            hashes.append(sender.send(client.address, data, GAS_PER_BATCH + per_row * size))
        receipts: list[Receipt] = sender.wait(hashes)
        for chunk, receipt in zip(window, receipts, strict=True):
            outcome.sent += 1
            outcome.rows_issued += chunk.end - chunk.start
            outcome.gas_used += receipt.gas_used
            if progress:
                progress(chunk.end - chunk.start)
    return outcome
