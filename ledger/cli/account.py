"""`ledger account`: the operator's encrypted keystore."""

from __future__ import annotations

import typer

from ledger.cli.common import clean_errors, out, settings
from ledger.cli.context import keystore_password, open_ledger

app = typer.Typer(help="Create and inspect the operator's signing account.")


@app.command()
@clean_errors
def new() -> None:
    """Create a new random key in an encrypted keystore (password from the environment or a prompt)."""
    from ledger.chain.keystore import create_keystore

    cfg = settings()
    password = keystore_password(cfg, confirm=True)
    address = create_keystore(cfg.keystore_path, password)
    out.print(f"created {address} in {cfg.keystore_path}")
    out.print("keep the password safe: without it the key cannot be used")


@app.command()
@clean_errors
def show() -> None:
    """Show the signing account's address, and its balance and roles when a ledger is reachable."""
    from ledger.artifact import ROLE_NAMES
    from ledger.chain.keystore import account_from_private_key, keystore_address
    from ledger.encoding import checksum

    cfg = settings()
    address: str
    if cfg.private_key is not None:
        address = account_from_private_key(cfg.private_key.get_secret_value()).address
        source = "LEDGER_PRIVATE_KEY"
    else:
        address = keystore_address(cfg.keystore_path)
        source = str(cfg.keystore_path)
    out.print(f"address  {address}  ({source})")
    client = open_ledger(cfg)  # unreachable: the address above, then one error line
    balance = client.w3.eth.get_balance(checksum(address))
    roles = [name for name in ROLE_NAMES if client.has_role(name, address)]
    out.print(f"balance  {balance / 10**18:.6f} ETH on chain {client.chain_id}")
    out.print(f"roles    {', '.join(roles) or 'none'} on ledger {client.address}")
