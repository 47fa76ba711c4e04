"""`ledger issue-batch`: rewards in bulk from a CSV, each reference at most once, with a dry run."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from ledger.cli.common import clean_errors, out, parse_seconds, settings, slow
from ledger.cli.context import open_ledger, open_writer, signer_address
from ledger.errors import InputError, ReferenceConflict
from ledger.inputs import parse_count

if TYPE_CHECKING:
    from ledger.ops import batch as batches
    from ledger.ops.issuance import IssueReport, RewardRows
    from ledger.ops.writer import Writer

MAX_ROWS_PER_BATCH = 5_000


@clean_errors
def issue_batch(
    file: Annotated[Path, typer.Argument(help="CSV with columns player,amount,reference")],
    campaign: Annotated[str, typer.Option(help="campaign id")],
    rows: Annotated[str | None, typer.Option(help="rows per batch transaction")] = None,
    dry: Annotated[
        bool, typer.Option("--dry-run", help="print what would be sent, skipped and refused; send nothing")
    ] = False,
    wait: Annotated[
        str | None, typer.Option(help="seconds to wait for another writer of this ledger (0: fail at once)")
    ] = None,
) -> None:
    """Issue rewards in bulk from a CSV; a reference that landed before is skipped, never paid twice."""
    from ledger.encoding import text_to_bytes
    from ledger.ops import batch as batches
    from ledger.ops.csvfile import read_batch
    from ledger.ops.issuance import RewardRows, issue_rewards

    cfg = settings()
    cid = text_to_bytes(campaign, what="campaign id")
    per_batch = cfg.batch_rows if rows is None else parse_count(rows, "--rows")
    if per_batch > MAX_ROWS_PER_BATCH:
        raise InputError(f"--rows {per_batch} is more than {MAX_ROWS_PER_BATCH} rows a batch")
    source = read_batch(file)
    reward_rows = RewardRows(cid, source.rows, source.lines, batches.batch_label(source.name))
    client = open_ledger(cfg)
    writer = open_writer(cfg, client, dry_run=dry, lock_wait=parse_seconds(wait))
    try:
        if dry:
            _dry_run(writer, reward_rows, per_batch, signer_address(cfg), source.name)
            return
        with _bar() as start:
            report = issue_rewards(writer, reward_rows, per_batch, cfg.max_in_flight, start)
    finally:
        writer.close()
    _summary(report, reward_rows)


@contextmanager
def _bar() -> Iterator[Callable[[int, int], batches.Progress]]:
    """A progress bar that appears only once the run is checked and starts sending."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    columns = (TextColumn("issuing"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
    bar = Progress(*columns, console=out, transient=False)

    def start(total: int, done: int) -> batches.Progress:
        bar.start()
        task = bar.add_task("rows", total=total, completed=done)
        return lambda n: bar.advance(task, n)

    try:
        yield start
    finally:
        bar.stop()


def _summary(report: IssueReport, rows: RewardRows) -> None:
    out.print(report.check.coverage.describe(), markup=False)
    outcome = report.outcome
    assert outcome is not None
    names = ", ".join(b.name for b in report.planned[:3]) + (" …" if len(report.planned) > 3 else "")
    out.print(
        f"{outcome.rows_issued} rows issued in {outcome.sent} batch(es){f' ({names})' if outcome.sent else ''}; "
        f"{outcome.rows_skipped} rows had landed before and were skipped; "
        f"file total {sum(r.amount for r in rows.rows)}",
        markup=False,
    )


def _dry_run(writer: Writer, rows: RewardRows, per_batch: int, account: str, name: str) -> None:
    from ledger.ops import batch as batches
    from ledger.ops.issuance import dry_run

    with slow("looking the references up in the mirror and the chain's logs"):
        report = dry_run(writer, rows, per_batch, None)
    check = report.check
    landed = sum(len(b.rows) for b in report.landed)
    out.print(f"dry run of {name}: nothing was sent", markup=False)
    out.print(check.coverage.describe(), markup=False)
    unsettled = writer.unsettled()
    if unsettled:
        out.print(
            f"an earlier run left {unsettled} transaction(s) unsettled: the real run settles them first"
        )
    sending = [b for b in report.planned if b not in report.landed]
    out.print(
        f"would send   {len(check.send) - landed} row(s) in {len(sending)} batch(es)"
        + (
            f": {', '.join(b.name for b in sending[:5])}{' …' if len(sending) > 5 else ''}" if sending else ""
        ),
        markup=False,
    )
    out.print(f"would skip   {len(check.skipped) + landed} row(s) already recorded with the same content")
    out.print(f"would refuse {len(check.refused)} row(s)")
    for line in check.refusals(rows):
        out.print(f"  {line}", markup=False)
    if check.refused:
        raise ReferenceConflict(
            f"the run would be refused: {len(check.refused)} reference(s) already recorded with other content",
            seq=check.refused[0][1].seq,
        )
    if sending:
        batches.preflight(writer.client, account, rows.campaign_id, sum(b.total for b in sending))
