"""What `ledger node` (anvil) and `ledger hardhat` share: running a managed node in the
foreground, or starting it in the background."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from ledger.cli.common import out

if TYPE_CHECKING:
    from ledger.chain.managed import ManagedNode

BlockTime = Annotated[
    float | None, typer.Option(help="seconds per block; default mines each transaction at once")
]


def run_foreground(node: ManagedNode, started: str, stopped: str) -> None:
    """Runs `node` until Ctrl-C (or until it exits), then stops it."""
    node.start()
    out.print(started)
    try:
        node.wait()
    except KeyboardInterrupt:
        pass
    finally:
        node.stop()
        out.print(stopped)


def start_background(node: ManagedNode, files: str) -> None:
    """Starts `node` detached, unless one started from its directory still runs."""
    pid = node.running_pid()
    if pid is not None:
        out.print(f"already running on {node.url} (pid {pid})")
        return
    node.start(detach=True)
    out.print(f"started on {node.url} (pid {node.running_pid()}, {files})")
