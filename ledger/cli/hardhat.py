"""`ledger hardhat`: a managed Hardhat node instead of anvil (see hardhat-local.md)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from ledger.cli.common import clean_errors, out, settings
from ledger.cli.managed import BlockTime, run_foreground, start_background

if TYPE_CHECKING:
    from ledger.chain.hardhat import HardhatNode
    from ledger.config import Settings

app = typer.Typer(
    help="Run a Hardhat 3 node on 127.0.0.1 at the node port, in place of anvil. It keeps no state."
)

Verbose = Annotated[bool, typer.Option(help="log every JSON-RPC call to the node's log file")]

NO_STATE = "Hardhat keeps no state: after a restart, deploy again and index into a fresh mirror"


def hardhat_node(cfg: Settings, block_time: float | None = None, verbose: bool = False) -> HardhatNode:
    from ledger.chain.hardhat import HardhatNode

    return HardhatNode(
        cfg.data_dir / "hardhat",
        port=cfg.node_port,
        block_time=block_time or cfg.node_block_time,
        verbose=verbose,
    )


@app.callback(invoke_without_command=True)
@clean_errors
def run(ctx: typer.Context, block_time: BlockTime = None, verbose: Verbose = False) -> None:
    """Run the Hardhat node in the foreground until Ctrl-C (or use a subcommand)."""
    if ctx.invoked_subcommand is not None:
        return
    node = hardhat_node(settings(), block_time, verbose)
    started = f"hardhat node on {node.url} (log {node.log_file}); Ctrl-C stops it and its chain is lost"
    run_foreground(node, started, "hardhat node stopped")


@app.command()
@clean_errors
def start(block_time: BlockTime = None, verbose: Verbose = False) -> None:
    """Start the Hardhat node in the background."""
    node = hardhat_node(settings(), block_time, verbose)
    start_background(node, f"log {node.log_file}")
    out.print(NO_STATE)


@app.command()
@clean_errors
def stop() -> None:
    """Stop the background Hardhat node; its chain is lost."""
    node = hardhat_node(settings())
    out.print("stopped" if node.stop() else "no hardhat node was running")
