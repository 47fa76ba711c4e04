"""`ledger node`: the managed local anvil node."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from ledger.cli.common import clean_errors, out, settings
from ledger.cli.managed import BlockTime, run_foreground, start_background
from ledger.errors import InputError, NodeError

if TYPE_CHECKING:
    from ledger.chain.node import LocalNode
    from ledger.config import Settings

app = typer.Typer(help="Run the managed local node (anvil on 127.0.0.1, state kept in the data directory).")


def local_node(cfg: Settings, block_time: float | None = None) -> LocalNode:
    from ledger.chain.node import LocalNode

    return LocalNode(cfg.node_dir, port=cfg.node_port, block_time=block_time or cfg.node_block_time)


@app.callback(invoke_without_command=True)
@clean_errors
def run(ctx: typer.Context, block_time: BlockTime = None) -> None:
    """Run the node in the foreground until Ctrl-C (or use a subcommand)."""
    if ctx.invoked_subcommand is not None:
        return
    node = local_node(settings(), block_time)
    run_foreground(
        node,
        f"local node on {node.url} (state in {node.state_file}); Ctrl-C stops it",
        "node stopped, state saved",
    )


@app.command()
@clean_errors
def start(block_time: BlockTime = None) -> None:
    """Start the node in the background."""
    node = local_node(settings(), block_time)
    start_background(node, f"state in {node.state_file}, log {node.log_file}")


@app.command()
@clean_errors
def stop() -> None:
    """Stop the background node; its state is saved."""
    node = local_node(settings())
    out.print("stopped" if node.stop() else "no node was running")


@app.command()
@clean_errors
def status() -> None:
    """Say whether the node runs, and its chain id and block."""
    from ledger.chain.client import connect

    cfg = settings()
    node = local_node(cfg)
    pid = node.running_pid()
    try:
        w3 = connect(cfg.effective_rpc_url, timeout=2)
    except NodeError:
        out.print(f"not running ({cfg.effective_rpc_url} does not answer)")
        raise typer.Exit(1) from None
    owner = f"pid {pid}" if pid else "not started by `ledger node start`"
    out.print(
        f"running on {cfg.effective_rpc_url} ({owner}): chain {w3.eth.chain_id}, block {w3.eth.block_number}"
    )


@app.command()
@clean_errors
def fund(
    address: Annotated[str, typer.Argument(help="account to fund")],
    eth: Annotated[int, typer.Option(help="balance to set, in ether", min=0)] = 100,
) -> None:
    """Give an account ether on a local development chain (anvil_setBalance)."""
    from ledger.chain.client import connect
    from ledger.chain.node import DEV_CHAIN_ID
    from ledger.encoding import checksum

    cfg = settings()
    w3 = connect(cfg.effective_rpc_url)
    if int(w3.eth.chain_id) != DEV_CHAIN_ID:
        raise InputError(
            f"chain {w3.eth.chain_id} is not a local development chain; fund accounts there yourself"
        )
    target = checksum(address)
    reply = w3.provider.make_request("anvil_setBalance", [target, hex(eth * 10**18)])  # type: ignore[arg-type]
    if "error" in reply:
        reply = w3.provider.make_request("hardhat_setBalance", [target, hex(eth * 10**18)])  # type: ignore[arg-type]
    if "error" in reply:
        raise NodeError(f"the node cannot set balances: {reply['error'].get('message')}")
    out.print(f"{target} now holds {eth} ETH")
