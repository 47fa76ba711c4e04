"""Encrypted keystores (Web3 Secret Storage, scrypt) and keys from the environment.

Private keys are never printed or logged; only addresses leave this module.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from eth_account import Account
from eth_account.signers.local import LocalAccount
from eth_utils.address import to_checksum_address

from ledger.errors import KeystoreError


def create_keystore(path: Path, password: str, iterations: int | None = None) -> str:
    """Creates a new random key encrypted with `password` at `path`; returns its address."""
    if path.exists():
        raise KeystoreError(f"{path} already exists; refusing to overwrite a key")
    if not password:
        raise KeystoreError("the keystore password is empty")
    account = Account.create()
    keystore = Account.encrypt(account.key, password, iterations=iterations)
    write_secret(path, json.dumps(keystore))
    return str(account.address)


def write_secret(path: Path, text: str) -> None:
    """Creates `path` with `text`, readable by its owner only; an existing file is an error."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        out.write(text)


def keystore_address(path: Path) -> str:
    """The address a keystore holds, read without the password."""
    data = _read(path)
    address = data.get("address")
    if not isinstance(address, str):
        raise KeystoreError(f"{path} has no address field")
    return str(to_checksum_address("0x" + address.removeprefix("0x")))


def load_keystore(path: Path, password: str) -> LocalAccount:
    """Decrypts the keystore at `path`; a wrong password is a `KeystoreError`."""
    data = _read(path)
    try:
        key = Account.decrypt(data, password)
    except ValueError as exc:
        raise KeystoreError(f"cannot decrypt {path}: wrong password") from exc
    account: LocalAccount = Account.from_key(key)
    return account


def account_from_private_key(value: str) -> LocalAccount:
    try:
        account: LocalAccount = Account.from_key(value.strip())
        return account
    except (ValueError, TypeError) as exc:
        raise KeystoreError("the private key from the environment is malformed") from exc


def _read(path: Path) -> dict[str, object]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise KeystoreError(f"no keystore at {path}: create one with `ledger account new`") from None
    except ValueError as exc:
        raise KeystoreError(f"{path} is not a keystore (invalid JSON)") from exc
    if not isinstance(data, dict) or ("crypto" not in data and "Crypto" not in data):
        raise KeystoreError(f"{path} is not a keystore")
    return data
