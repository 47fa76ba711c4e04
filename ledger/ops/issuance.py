"""Issuing many rewards at once, each reference at most once: look up, sort out, plan, send.

Before anything is sent, every row's reference is looked up in what landed (see
`ledger.ops.landed`), under the ledger's write lock: a reference that landed with the same
campaign, player and amount is skipped and reported; one that landed with other content refuses
the whole run (each such line with the existing entry's seq), and nothing is sent. The rest is
planned in canonical batches (`ledger.ops.batch`) and sent.

The operator API calls `check_rewards` (a dry run) and `issue_rewards` exactly as the CLI does.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from ledger.encoding import Row, bytes_to_text, row_ref_word
from ledger.errors import ReferenceConflict
from ledger.ops.batch import (
    BatchOutcome,
    PlannedBatch,
    Progress,
    plan_batches,
    preflight,
    send_batches,
    split_landed,
)
from ledger.ops.landed import Coverage, LandedReward
from ledger.ops.writer import Writer

MAX_REPORTED = 20


@dataclass(frozen=True)
class RewardRows:
    """Rewards to issue from one campaign: rows, the line (or position) of each, a label for batch ids."""

    campaign_id: bytes
    rows: list[Row]
    lines: dict[bytes, int]  # reference word -> line number in the source
    label: str = "batch"

    def line_of(self, row: Row) -> int:
        return self.lines.get(row_ref_word(row.ref), 0)


@dataclass
class RewardCheck:
    """Each row sorted: to send, landed before with the same content, or refused."""

    send: list[Row]
    skipped: list[tuple[Row, LandedReward]]
    refused: list[tuple[Row, LandedReward]]
    coverage: Coverage

    def refusals(self, rows: RewardRows) -> list[str]:
        return [
            f"line {rows.line_of(row)}: reference {bytes_to_text(row.ref)!r} is already entry {had.seq} "
            f"({_content(had)}), not {_content_of(rows.campaign_id, row)}"
            for row, had in sorted(self.refused, key=lambda pair: rows.line_of(pair[0]))
        ]


@dataclass
class IssueReport:
    check: RewardCheck
    planned: list[PlannedBatch]  # batches of the rows to send
    landed: list[PlannedBatch] = field(default_factory=list)  # of those, batches that had landed
    outcome: BatchOutcome | None = None  # None: a dry run


def check_rewards(writer: Writer, rows: RewardRows) -> RewardCheck:
    """Sorts every row by what landed under its reference (no lock, nothing sent)."""
    landed, coverage = writer.find_rewards([row_ref_word(r.ref) for r in rows.rows])
    check = RewardCheck([], [], [], coverage)
    for row in rows.rows:
        had = landed.get(row_ref_word(row.ref))
        if had is None:
            check.send.append(row)
        elif had.same_content(rows.campaign_id, row.player, row.amount):
            check.skipped.append((row, had))
        else:
            check.refused.append((row, had))
    return check


def refusal(name: str, check: RewardCheck, rows: RewardRows) -> ReferenceConflict:
    lines = check.refusals(rows)
    shown = "\n".join(f"  {line}" for line in lines[:MAX_REPORTED])
    more = f"\n  ... and {len(lines) - MAX_REPORTED} more" if len(lines) > MAX_REPORTED else ""
    return ReferenceConflict(
        f"{name}: {len(lines)} reference(s) already recorded with other content, nothing was sent\n{shown}{more}",
        seq=check.refused[0][1].seq,
    )


def dry_run(writer: Writer, rows: RewardRows, rows_per_batch: int, account: str | None) -> IssueReport:
    """What `issue_rewards` would send, skip and refuse; takes no lock and sends nothing."""
    check = check_rewards(writer, rows)
    planned = plan_batches(check.send, rows.campaign_id, rows_per_batch, rows.label)
    report = IssueReport(check, planned)
    if planned:
        _, report.landed = split_landed(writer.client, planned, writer.deploy_block)
        if account is not None and not check.refused:
            preflight(writer.client, account, rows.campaign_id, sum(r.amount for r in check.send))
    return report


def issue_rewards(
    writer: Writer,
    rows: RewardRows,
    rows_per_batch: int,
    max_in_flight: int = 32,
    start_progress: Callable[[int, int], Progress] | None = None,
) -> IssueReport:
    """Issues every row whose reference has not landed, once; see the module's doc.

    `start_progress(total, done)` is called once the run is checked and about to send, and
    returns what to call with the number of rows each landed batch carried.
    """
    plan = f"issue {len(rows.rows)} row(s) of {rows.label} from campaign {bytes_to_text(rows.campaign_id)}"
    with writer.writing(plan) as sender:
        check = check_rewards(writer, rows)
        if check.refused:
            raise refusal(rows.label, check, rows)
        planned = plan_batches(check.send, rows.campaign_id, rows_per_batch, rows.label)
        todo, landed = split_landed(writer.client, planned, writer.deploy_block)
        report = IssueReport(check, planned, landed)
        if todo:
            preflight(writer.client, sender.address, rows.campaign_id, sum(b.total for b in todo))
        done = len(rows.rows) - sum(len(b.rows) for b in todo)
        progress = start_progress(len(rows.rows), done) if start_progress and todo else None
        report.outcome = send_batches(
            writer.client, sender, todo, writer.deploy_block, max_in_flight, progress
        )
        report.outcome.skipped = len(landed)
        report.outcome.rows_skipped = len(check.skipped) + sum(len(b.rows) for b in landed)
    return report


def _content(had: LandedReward) -> str:
    return (
        f"campaign {bytes_to_text(had.campaign_id)}, player 0x{had.player.hex()[:12]}…, amount {had.amount}"
    )


def _content_of(campaign_id: bytes, row: Row) -> str:
    return f"campaign {bytes_to_text(campaign_id)}, player 0x{row.player.hex()[:12]}…, amount {row.amount}"
