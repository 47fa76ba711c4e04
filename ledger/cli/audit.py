"""`ledger audit`: prove the SQL mirror complete and equal to the chain."""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import Annotated

import typer

from ledger.cli.common import clean_errors, out, settings
from ledger.cli.context import open_ledger
from ledger.cli.recompute import recompute as recompute_period
from ledger.errors import DatabaseError

app = typer.Typer(help="Audit the SQL mirror against the chain.", no_args_is_help=True)
app.command("recompute")(recompute_period)

FAILED = 1  # exit code of a reconciliation that found differences


@app.command()
@clean_errors
def reconcile(
    block: Annotated[
        int | None, typer.Option(help="block to reconcile at; default the mirror's newest")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="print the report as one JSON object")] = False,
) -> None:
    """Compare every mirrored row and column with the chain's logs, blocks and views, and the
    hash-chain head and count with the contract's.

    Prints PASS, or FAIL with the first divergent row and each differing column; exits 0 on PASS
    and 1 on FAIL.
    """
    from sqlalchemy.exc import SQLAlchemyError

    from ledger.audit.reconcile import reconcile as run_reconcile
    from ledger.db.engine import make_engine

    cfg = settings()
    client = open_ledger(cfg)
    engine = make_engine(cfg.effective_database_url)
    try:
        report = run_reconcile(client, engine, block)
    except SQLAlchemyError as exc:
        raise DatabaseError(f"the mirror database failed: {getattr(exc, 'orig', None) or exc}") from exc
    finally:
        engine.dispose()
    if as_json:
        out.print(json.dumps(asdict(report)), markup=False)
    else:
        for line in report.lines():
            out.print(line, markup=False)
    if not report.ok:
        raise typer.Exit(FAILED)
