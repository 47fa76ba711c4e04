"""`ledger roles`: grant, revoke and show the ledger's roles."""

from __future__ import annotations

from typing import Annotated

import typer

from ledger.cli.common import clean_errors, out, settings
from ledger.cli.context import open_ledger, open_writer, signer_address
from ledger.errors import InputError

app = typer.Typer(help="Manage roles: admin, issuer, payer, pauser.")

Role = Annotated[str, typer.Argument(help="admin, issuer, payer or pauser")]
Address = Annotated[str, typer.Argument(help="the account")]


def _role(name: str) -> str:
    from ledger.artifact import ROLE_NAMES
    from ledger.encoding import shown

    name = name.strip().lower()
    if name not in ROLE_NAMES:
        raise InputError(f"unknown role {shown(name)}: expected one of {', '.join(ROLE_NAMES)}")
    return name


@app.command()
@clean_errors
def grant(role: Role, address: Address) -> None:
    """Grant a role (admin only)."""
    from ledger.encoding import checksum
    from ledger.ops.entries import set_role

    cfg = settings()
    client = open_ledger(cfg)
    name, account = _role(role), checksum(address)
    if client.has_role(name, account):
        out.print(f"{account} already has the {name} role")
        return
    with open_writer(cfg, client).writing(f"grant {name}") as sender:
        receipt = set_role(client, sender, name, account, granted=True)
    out.print(f"granted {name} to {account} (block {receipt.block_number})")


@app.command()
@clean_errors
def revoke(role: Role, address: Address) -> None:
    """Revoke a role (admin only)."""
    from ledger.encoding import checksum
    from ledger.ops.entries import set_role

    cfg = settings()
    client = open_ledger(cfg)
    name, account = _role(role), checksum(address)
    if not client.has_role(name, account):
        out.print(f"{account} does not have the {name} role")
        return
    with open_writer(cfg, client).writing(f"revoke {name}") as sender:
        receipt = set_role(client, sender, name, account, granted=False)
    out.print(f"revoked {name} from {account} (block {receipt.block_number})")


@app.command()
@clean_errors
def show(address: Annotated[str | None, typer.Argument(help="default: the signing account")] = None) -> None:
    """Show which roles an account holds."""
    from ledger.artifact import ROLE_NAMES
    from ledger.encoding import checksum

    cfg = settings()
    client = open_ledger(cfg)
    account = checksum(address) if address is not None else signer_address(cfg)
    for name in ROLE_NAMES:
        out.print(f"{name:<7} {'yes' if client.has_role(name, account) else 'no'}")
