"""The `LedgerError` tree: every failure the ledger reports to a user is one of these."""

from __future__ import annotations

from typing import Any


class LedgerError(Exception):
    """Root of every error the ledger raises on purpose; its message is one clear line."""

    exit_code = 1


class CompileError(LedgerError):
    """The contract could not be compiled (missing toolchain, compiler errors)."""


class ConfigError(LedgerError):
    """Settings are missing or inconsistent (no contract address, unreadable keystore...)."""

    exit_code = 2


class InputError(LedgerError):
    """A user gave a value the ledger cannot accept (malformed key, bad amount, bad file)."""

    exit_code = 2


class NodeError(LedgerError):
    """The JSON-RPC node is unreachable or answered with an error."""

    exit_code = 3


class TransactionError(LedgerError):
    """A transaction failed to land: dropped, timed out, or out of gas."""

    exit_code = 4


class ContractRevert(TransactionError):
    """The contract refused the call with one of its custom errors (or a plain revert)."""

    def __init__(self, name: str, args: dict[str, Any], message: str | None = None) -> None:
        self.name = name
        self.args_by_name = args
        rendered = ", ".join(f"{k}={_render(v)}" for k, v in args.items())
        super().__init__(message or f"the ledger contract refused: {name}({rendered})")


class KeystoreError(LedgerError):
    """A keystore is missing, malformed, or the password is wrong."""

    exit_code = 2


def _render(value: Any) -> str:
    if isinstance(value, bytes):
        return "0x" + value.hex()
    return str(value)
