"""`ledger deploy`: deploy the ledger, record where it landed, and grant the roles it needs."""

from __future__ import annotations

from typing import Annotated

import typer

from ledger.chain.deployments import load_deployment, save_deployment
from ledger.cli.common import clean_errors, out, say, settings
from ledger.cli.context import load_signer
from ledger.errors import InputError

OPERATOR_ROLES = ("issuer", "payer", "pauser")


def parse_roles(value: str | None) -> list[str]:
    """`issuer,payer,pauser` as a list of known role names (the admin role comes with deploying)."""
    from ledger.artifact import ROLE_NAMES

    if value is None:
        return []
    names = [name.strip().lower() for name in value.split(",") if name.strip()]
    unknown = [name for name in names if name not in ROLE_NAMES or name == "admin"]
    if unknown or not names:
        raise InputError(
            f"--grant takes roles among {', '.join(OPERATOR_ROLES)}, e.g. --grant issuer,payer,pauser"
        )
    return list(dict.fromkeys(names))


@clean_errors
def deploy(
    admin: Annotated[str | None, typer.Option(help="admin account; default the signing account")] = None,
    force: Annotated[bool, typer.Option(help="deploy again even if this chain has a deployment")] = False,
    grant: Annotated[
        str | None, typer.Option(help="roles to grant the signing account at once, e.g. issuer,payer,pauser")
    ] = None,
) -> None:
    """Deploy the ledger, check its code against the artifact, record it for this chain, and grant roles."""
    from ledger.chain.client import LedgerClient, connect
    from ledger.chain.sender import Sender
    from ledger.encoding import checksum
    from ledger.ops.deploy import deploy_ledger
    from ledger.ops.entries import set_role
    from ledger.ops.writer import Writer

    cfg = settings()
    roles = parse_roles(grant)
    admin_address = checksum(admin) if admin is not None else None
    w3 = connect(cfg.effective_rpc_url, timeout=cfg.tx_timeout)
    existing = load_deployment(cfg.deployments_dir, int(w3.eth.chain_id))
    if existing is not None and not force and w3.eth.get_code(existing.address):  # type: ignore[arg-type]
        out.print(
            f"already deployed at {existing.address} on chain {existing.chain_id}; --force deploys anew"
        )
        return
    sender = Sender(w3, load_signer(cfg), timeout=cfg.tx_timeout, on_wait=say)
    if roles and admin_address is not None and admin_address != sender.address:
        raise InputError("--grant needs the signing account to be the admin: leave out --admin")
    deployment = deploy_ledger(sender, admin_address)
    path = save_deployment(cfg.deployments_dir, deployment)
    out.print(
        f"deployed at {deployment.address} on chain {deployment.chain_id}, block {deployment.block_number}"
    )
    out.print(f"runtime code matches the artifact; recorded in {path}")
    client = LedgerClient(w3, deployment.address)
    if roles:
        writer = Writer(
            client, sender, cfg.data_dir, deployment.block_number, lock_wait=cfg.lock_wait, say=say
        )
        with writer.writing("grant roles") as signer:
            for role in roles:
                set_role(client, signer, role, sender.address, granted=True)
                out.print(f"granted {role} to {sender.address}")
    missing = [role for role in OPERATOR_ROLES if role not in roles]
    if missing:
        who = admin_address or sender.address
        out.print(f"the admin ({who}) grants the roles operators need, e.g. to {sender.address}:")
        for role in missing:
            out.print(f"  ledger roles grant {role} {sender.address}")
