"""`ledger deploy`: deploy the ledger and record where it landed."""

from __future__ import annotations

from typing import Annotated

import typer

from ledger.chain.client import connect
from ledger.chain.deployments import load_deployment, save_deployment
from ledger.chain.sender import Sender
from ledger.cli.common import clean_errors, out, settings
from ledger.cli.context import load_signer
from ledger.ops.deploy import deploy_ledger


@clean_errors
def deploy(
    admin: Annotated[str | None, typer.Option(help="admin account; default the signing account")] = None,
    force: Annotated[bool, typer.Option(help="deploy again even if this chain has a deployment")] = False,
) -> None:
    """Deploy the ledger, check its code against the artifact, and record it for this chain."""
    cfg = settings()
    w3 = connect(cfg.effective_rpc_url, timeout=cfg.tx_timeout)
    existing = load_deployment(cfg.deployments_dir, int(w3.eth.chain_id))
    if existing is not None and not force and w3.eth.get_code(existing.address):  # type: ignore[arg-type]
        out.print(
            f"already deployed at {existing.address} on chain {existing.chain_id}; --force deploys anew"
        )
        return
    sender = Sender(w3, load_signer(cfg), timeout=cfg.tx_timeout)
    deployment = deploy_ledger(sender, admin)
    path = save_deployment(cfg.deployments_dir, deployment)
    out.print(
        f"deployed at {deployment.address} on chain {deployment.chain_id}, block {deployment.block_number}"
    )
    out.print(f"runtime code matches the artifact; recorded in {path}")
