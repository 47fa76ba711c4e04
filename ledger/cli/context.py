"""Opening the chain for a command: the node, the ledger's address, the signing key, the writer.

web3, eth-account and the operator's write path are imported by the functions that use them, so
that importing a command module (for `--help`) stays cheap.
"""

from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING

import typer

from ledger.chain.deployments import load_deployment
from ledger.cli.common import say, slow
from ledger.errors import ConfigError, KeystoreError

if TYPE_CHECKING:
    from eth_account.signers.local import LocalAccount

    from ledger.chain.client import LedgerClient
    from ledger.chain.sender import Sender
    from ledger.config import Settings
    from ledger.ops.writer import Writer


def open_ledger(cfg: Settings) -> LedgerClient:
    """The ledger named by the settings, or by the deployments file for the node's chain."""
    from ledger.chain.client import LedgerClient, connect

    w3 = connect(cfg.effective_rpc_url, timeout=cfg.tx_timeout)
    address = cfg.contract_address
    if not address:
        deployment = load_deployment(cfg.deployments_dir, int(w3.eth.chain_id))
        if deployment is None:
            raise ConfigError(
                f"no ledger is deployed on chain {w3.eth.chain_id} (per {cfg.deployments_dir}): "
                "run `ledger deploy` or set LEDGER_CONTRACT_ADDRESS"
            )
        address = deployment.address
    client = LedgerClient(w3, address)
    client.check_code()
    return client


def load_signer(cfg: Settings) -> LocalAccount:
    """The signing key: LEDGER_PRIVATE_KEY, else the keystore with its password."""
    from ledger.chain.keystore import account_from_private_key, load_keystore

    if cfg.private_key is not None:
        return account_from_private_key(cfg.private_key.get_secret_value())
    password = keystore_password(cfg)
    with slow(f"unlocking the keystore {cfg.keystore_path} (scrypt takes a few seconds)"):
        return load_keystore(cfg.keystore_path, password)


def signer_address(cfg: Settings) -> str:
    """The signing account's address, without unlocking the keystore."""
    from ledger.chain.keystore import account_from_private_key, keystore_address

    if cfg.private_key is not None:
        return str(account_from_private_key(cfg.private_key.get_secret_value()).address)
    return keystore_address(cfg.keystore_path)


def keystore_password(cfg: Settings, confirm: bool = False) -> str:
    if cfg.keystore_password is not None:
        return cfg.keystore_password.get_secret_value()
    if cfg.keystore_password_file is not None:
        try:
            return cfg.keystore_password_file.read_text(encoding="utf-8").rstrip("\r\n")
        except OSError as exc:
            raise KeystoreError(f"cannot read the password file: {exc.strerror}") from exc
    if sys.stdin.isatty() and os.environ.get("LEDGER_NO_PROMPT") is None:
        return str(typer.prompt("keystore password", hide_input=True, confirmation_prompt=confirm))
    raise KeystoreError("no keystore password: set LEDGER_KEYSTORE_PASSWORD or LEDGER_KEYSTORE_PASSWORD_FILE")


def open_sender(cfg: Settings, client: LedgerClient) -> Sender:
    from ledger.chain.sender import Sender

    return Sender(client.w3, load_signer(cfg), timeout=cfg.tx_timeout, on_wait=say)


def deploy_block(cfg: Settings, client: LedgerClient) -> int:
    """The ledger's deployment block if the deployments file knows it; else 0."""
    deployment = load_deployment(cfg.deployments_dir, client.chain_id)
    if deployment is not None and deployment.address.lower() == client.address.lower():
        return deployment.block_number
    return 0


def open_writer(
    cfg: Settings, client: LedgerClient, dry_run: bool = False, lock_wait: float | None = None
) -> Writer:
    """The write path for `client`: signer (none for a dry run), lock, journal and mirror."""
    from ledger.ops.writer import Writer

    return Writer(
        client,
        None if dry_run else open_sender(cfg, client),
        cfg.data_dir,
        deploy_block=deploy_block(cfg, client),
        mirror_url=cfg.effective_database_url,
        lock_wait=cfg.lock_wait if lock_wait is None else lock_wait,
        say=say,
    )
