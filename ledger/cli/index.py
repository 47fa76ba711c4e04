"""`ledger index`: keep the SQL mirror of the ledger current (or catch up and exit).

Kept light: the command talks to the node through the JSON-RPC client, never web3, and imports
the database stack only when it runs, so a catch-up does not pay for what it does not use.
"""

from __future__ import annotations

import logging
import signal
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Annotated, Any

import typer

from ledger.cli.common import clean_errors, err, out, settings
from ledger.errors import ConfigError, DatabaseError

if TYPE_CHECKING:
    from ledger.config import Settings
    from ledger.indexer.load import Progress as Step
    from ledger.indexer.service import Indexer

FAR_BEHIND = 500  # blocks of lag from which a progress bar is worth drawing


@contextmanager
def logging_to_stderr(verbose: bool = True) -> Iterator[None]:
    """The indexer's log lines on stderr while the command runs: rich on a terminal, else one
    plain timestamped line each."""
    handler: logging.Handler
    if err.is_terminal:
        from rich.logging import RichHandler

        handler = RichHandler(console=err, show_path=False, markup=False, rich_tracebacks=False)
        handler.setFormatter(logging.Formatter("%(message)s"))
    else:
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
    logger = logging.getLogger("ledger")
    saved = logger.level, logger.propagate
    logger.addHandler(handler)
    logger.setLevel(logging.INFO if verbose else logging.WARNING)
    logger.propagate = False
    try:
        yield
    finally:
        logger.removeHandler(handler)
        logger.level, logger.propagate = saved


@contextmanager
def stop_on_signals(stop: threading.Event) -> Iterator[None]:
    """Ctrl-C and SIGTERM finish the current step (its transaction) and stop cleanly."""

    def handler(signum: int, _frame: Any) -> None:
        stop.set()

    previous = {sig: signal.signal(sig, handler) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old)


def _ledger(cfg: Settings) -> tuple[str, int | None]:
    """The ledger's address (from the settings, else the deployments file for the node's chain),
    checked to hold this project's code, and its deployment block when the deployments file knows it."""
    from ledger.chain.deployments import load_deployment
    from ledger.chain.rpc import Rpc
    from ledger.indexer.extract import check_code

    rpc = Rpc(cfg.effective_rpc_url, timeout=min(cfg.tx_timeout, 10.0))
    try:
        chain_id = int(rpc.call("eth_chainId"), 16)  # one attempt: a node that is not there fails at once
        deployment = load_deployment(cfg.deployments_dir, chain_id)
        address = cfg.contract_address or (deployment.address if deployment else None)
        if not address:
            raise ConfigError(
                f"no ledger is deployed on chain {chain_id} (per {cfg.deployments_dir}): "
                "run `ledger deploy` or set LEDGER_CONTRACT_ADDRESS"
            )
        check_code(rpc, address, chain_id)
    finally:
        rpc.close()
    if deployment is not None and deployment.address.lower() == address.lower():
        return address, deployment.block_number
    return address, None  # the indexer finds the deployment block on the chain


@clean_errors
def index(
    until_head: Annotated[
        bool, typer.Option("--until-head", help="catch up to the chain head, then exit")
    ] = False,
    from_block: Annotated[
        int | None, typer.Option(help="first block of a new mirror; default the deployment", min=0)
    ] = None,
    poll_interval: Annotated[float, typer.Option(help="seconds between polls of the chain head")] = 0.1,
    retry_for: Annotated[
        float | None,
        typer.Option(
            help="seconds to retry an unreachable node; default 60 with --until-head, else for ever"
        ),
    ] = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="log warnings and errors only")] = False,
) -> None:
    """Mirror the ledger's events into SQL: follow the chain, or catch up with --until-head."""
    from sqlalchemy.exc import SQLAlchemyError

    from ledger.db.engine import make_engine
    from ledger.indexer.service import Indexer, Options

    cfg = settings()
    with logging_to_stderr(not quiet):
        address, deployed = _ledger(cfg)
        start = from_block if from_block is not None else deployed
        options = Options(
            confirmations=cfg.confirmations, poll_interval=poll_interval,
            retry_for=retry_for if retry_for is not None else (60.0 if until_head else None),
        )  # fmt: skip
        engine = make_engine(cfg.effective_database_url)
        indexer = Indexer(cfg.effective_rpc_url, address, engine, start, options)
        try:
            with stop_on_signals(indexer.stop), _progress_bar(indexer) as on_progress:
                indexer.on_progress = on_progress
                stats = indexer.run(follow=not until_head)
        except SQLAlchemyError as exc:
            raise DatabaseError(f"the mirror database failed: {getattr(exc, 'orig', None) or exc}") from exc
        finally:
            indexer.close()
            engine.dispose()
    verb = "stopped" if indexer.stop.is_set() else "caught up"
    out.print(
        f"{verb} at block {stats.last_block}: {stats.entries} entries and {stats.events} events written "
        f"in {stats.seconds:.1f} s; {stats.reorgs} reorgs handled"
    )


@contextmanager
def _progress_bar(indexer: Indexer) -> Iterator[Callable[[Step], None] | None]:
    """A progress bar while the mirror is far behind the chain (and the terminal can show one)."""
    state = indexer.prepare()
    head = indexer.extractor.head_number()
    if head - state.last_block < FAR_BEHIND or not err.is_terminal:
        yield None
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    columns = (
        TextColumn("indexing"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("blocks"),
        TimeRemainingColumn(),
    )
    with Progress(*columns, console=err, transient=True) as bar:
        task = bar.add_task("index", total=head - state.last_block)

        def advance(step: Step) -> None:
            bar.update(
                task,
                completed=step.indexer_block - state.last_block,
                total=step.chain_block - state.last_block,
            )

        yield advance
