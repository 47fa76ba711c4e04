"""What stops or redirects the indexer; each message is one clear line."""

from __future__ import annotations

from ledger.errors import LedgerError, NodeError


class RpcError(NodeError):
    """The node answered a JSON-RPC call with an error."""

    def __init__(self, method: str, code: int | None, message: str) -> None:
        self.method = method
        self.code = code
        self.rpc_message = message
        super().__init__(f"the node refused {method}: {message} (code {code})")


class RangeTooLarge(RpcError):
    """The node refused a log query as too big (results, response size, or time)."""


class TransportError(NodeError):
    """The request did not get a usable answer: connection, timeout, HTTP 429/5xx, bad JSON."""

    def __init__(
        self, url: str, reason: str, timeout: bool = False, retry_after: float | None = None
    ) -> None:
        self.reason = reason
        self.timeout = timeout
        self.retry_after = retry_after
        super().__init__(f"cannot reach the node at {url}: {reason}")


class IndexerError(LedgerError):
    """The indexer cannot go on without a person deciding (bad data, deep reorg, wrong database)."""

    exit_code = 5


class DecodeFailed(IndexerError):
    """A log of the ledger contract that does not decode, or breaks the hash chain."""


class ReorgTooDeep(IndexerError):
    """The chain replaced a block the mirror took as final."""


class ChainMoved(Exception):
    """The chain changed while a range was being read; the range is read again (not an error)."""


class CursorMoved(Exception):
    """Another writer moved the cursor since this indexer read it; state is read again."""
