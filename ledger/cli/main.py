"""The `ledger` command.

Command groups load on first use: `ledger verify` (a player's own check) and `--help` start in a
fraction of the time it takes to import web3, the database stack and the indexer for everything.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

import typer
from typer import _click as click  # Typer ships its own Click; its groups take these types
from typer.core import TyperGroup

# name -> "module:attribute", in the order `ledger --help` lists them. An attribute is a Typer
# app (a command group) or a command function.
COMMANDS = {
    "node": "ledger.cli.node:app",
    "hardhat": "ledger.cli.hardhat:app",
    "account": "ledger.cli.account:app",
    "deploy": "ledger.cli.deploy:deploy",
    "roles": "ledger.cli.roles:app",
    "campaign": "ledger.cli.campaign:app",
    "rules": "ledger.cli.rules:app",
    "period": "ledger.cli.period:app",
    "issue": "ledger.cli.entries:issue",
    "issue-batch": "ledger.cli.entries:issue_batch",
    "payout": "ledger.cli.entries:payout",
    "reverse": "ledger.cli.entries:reverse",
    "expire": "ledger.cli.entries:expire",
    "pause": "ledger.cli.entries:pause",
    "unpause": "ledger.cli.entries:unpause",
    "player-key": "ledger.cli.entries:player_key",
    "index": "ledger.cli.index:index",
    "audit": "ledger.cli.audit:app",
    "serve": "ledger.cli.serve:serve",
    "tokens": "ledger.cli.tokens:app",
    "verify": "ledger.cli.verify:verify",
}


def load_command(name: str) -> click.Command:
    """Imports one command's module and turns its Typer app or function into a Click command."""
    module, attribute = COMMANDS[name].split(":")
    target: Any = getattr(import_module(module), attribute)
    if isinstance(target, typer.Typer):
        target.info.name = name
        command: click.Command = typer.main.get_group(target)
    else:
        single = typer.Typer()
        single.command(name)(target)
        command = typer.main.get_command(single)
    command.name = name
    return command


class LazyGroup(TyperGroup):
    """A Typer group whose subcommands are imported only when invoked (or listed by --help)."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        return load_command(cmd_name) if cmd_name in COMMANDS else None


app = typer.Typer(
    cls=LazyGroup,
    help="Transparent rewards ledger: issue rewards and record payouts on chain, mirror and verify them.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)


@app.callback()
def root() -> None:
    """Transparent rewards ledger: issue rewards and record payouts on chain, mirror and verify them."""


def main() -> None:
    app()
