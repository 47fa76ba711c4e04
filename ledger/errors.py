"""The `LedgerError` tree: every failure the ledger reports to a user is one of these.

Each error's message is one clear line; the CLI prints it after `error:` and exits with the
class's `exit_code`, the API answers with the HTTP status `api.errors` maps it to.

| exit | meaning |
|---:|---|
| 0 | done; a check passed |
| 1 | a check failed (`verify` FAILED, `audit reconcile` FAIL), or the ledger refused otherwise |
| 2 | bad input or configuration: a value, a file, a setting, a keystore or its password |
| 3 | the node is unreachable or answered with an error |
| 4 | a transaction failed to land, or the contract refused it |
| 5 | the mirror needs a person: data that does not decode, a reorg past finality, another ledger |
| 6 | the mirror's database is unreachable or refused a statement |
| 7 | the ledger API is unreachable or answered something that is not a ledger answer |
| 8 | another writer holds the ledger's write lock |
| 9 | a reference was already recorded with other content (nothing was sent) |
| 130 | interrupted (Ctrl-C); what was sent is on chain and re-running is safe |
"""

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


class KeystoreError(LedgerError):
    """A keystore is missing, malformed, or the password is wrong."""

    exit_code = 2


class NotFound(LedgerError):
    """The player, entry, campaign or text asked for is not there."""


class Conflict(LedgerError):
    """The request contradicts what is already recorded (or names more than one thing)."""


class ReferenceConflict(Conflict):
    """A reference (or batch id) the ledger already recorded with other content; `seq` names
    the existing entry. Nothing was sent."""

    exit_code = 9

    def __init__(self, message: str, seq: int | None = None) -> None:
        self.seq = seq
        super().__init__(message)


class Unauthorized(LedgerError):
    """A route that needs a token was called without a valid one."""


class Forbidden(LedgerError):
    """The caller's token is valid but lacks the scope the route needs."""


class NotReady(LedgerError):
    """The mirror has not indexed anything yet."""


# ---------------------------------------------------------------- the node


class NodeError(LedgerError):
    """The JSON-RPC node is unreachable or answered with an error."""

    exit_code = 3


class RpcError(NodeError):
    """The node answered a JSON-RPC call with an error."""

    def __init__(self, method: str, code: int | None, message: str) -> None:
        self.method = method
        self.code = code
        self.rpc_message = message
        super().__init__(f"the node refused {method}: {message} (code {code})")


class RangeTooLarge(RpcError):
    """The node refused a request as too big (log results, response size, or time)."""


class TransportError(NodeError):
    """The request did not get a usable answer: connection, timeout, HTTP 429/5xx, bad JSON."""

    def __init__(
        self, url: str, reason: str, timeout: bool = False, retry_after: float | None = None
    ) -> None:
        self.url = url
        self.reason = reason
        self.timeout = timeout
        self.retry_after = retry_after
        super().__init__(f"cannot reach the node at {url}: {reason}")


# ---------------------------------------------------------------- transactions


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


# ---------------------------------------------------------------- decoding and proofs


class DecodeError(LedgerError):
    """Bytes that do not decode as what they claim to be (a ledger event, a proof, a header)."""


class EventDecodeError(DecodeError):
    """A log that does not decode against the ledger's ABI."""


class ProofError(DecodeError):
    """A Merkle-Patricia proof or block header that does not check out; the message says which part."""


# ---------------------------------------------------------------- the mirror


class IndexerError(LedgerError):
    """The indexer cannot go on without a person deciding (bad data, deep reorg, wrong database)."""

    exit_code = 5


class DecodeFailed(IndexerError):
    """A log of the ledger contract that does not decode, or breaks the hash chain."""


class ReorgTooDeep(IndexerError):
    """The chain replaced a block the mirror took as final."""


class DatabaseError(LedgerError):
    """The mirror's database is unreachable or refused a statement."""

    exit_code = 6


# ---------------------------------------------------------------- the API, seen by a client


class ApiError(LedgerError):
    """The API is unreachable, refused the request, or answered something that is not a ledger answer."""

    exit_code = 7


# ---------------------------------------------------------------- writers


class LockBusy(LedgerError):
    """Another writer holds the ledger's write lock."""

    exit_code = 8


def _render(value: Any) -> str:
    if isinstance(value, bytes):
        return "0x" + value.hex()
    return str(value)
