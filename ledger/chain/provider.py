"""web3 on the project's own JSON-RPC client: one transport, one set of retry rules.

Operator commands read views and send transactions through web3 (ABI encoding, typed answers);
this provider hands its requests to `ledger.chain.rpc.Rpc`, so they reach the node, fail and are
retried exactly like the indexer's and the verifier's.
"""

from __future__ import annotations

import json
from typing import Any, cast

from web3 import Web3
from web3.providers.base import JSONBaseProvider
from web3.types import RPCEndpoint, RPCResponse

from ledger.chain.rpc import Retry, Rpc

# Sending is never retried by the transport: the sender decides what a lost answer means.
NOT_RETRIED = frozenset({"eth_sendRawTransaction", "eth_sendTransaction"})


class RpcProvider(JSONBaseProvider):
    """A web3 provider whose every request goes through one `Rpc`."""

    def __init__(self, rpc: Rpc) -> None:
        super().__init__()
        self.rpc = rpc
        self.endpoint_uri = rpc.url

    def __str__(self) -> str:
        return f"RPC connection {self.rpc.url}"

    def make_request(self, method: RPCEndpoint, params: Any) -> RPCResponse:
        payload = json.loads(self.encode_rpc_request(method, params))
        return cast(RPCResponse, self.rpc.raw(payload, retry=method not in NOT_RETRIED))

    def make_batch_request(
        self, batch_requests: list[tuple[RPCEndpoint, Any]]
    ) -> list[RPCResponse] | RPCResponse:
        payload = json.loads(self.encode_batch_rpc_request(batch_requests))
        reply = self.rpc.raw(payload)
        if not isinstance(reply, list):
            return cast(RPCResponse, reply)  # one error for the whole batch
        by_id = {answer.get("id"): answer for answer in reply if isinstance(answer, dict)}
        return [cast(RPCResponse, by_id.get(request["id"], {})) for request in payload]


def web3_on(url: str, timeout: float = 30.0, retry: Retry | None = None) -> Web3:
    """A `Web3` whose requests go through the project's `Rpc` (retried for `retry`'s time)."""
    return Web3(RpcProvider(Rpc(url, timeout, retry if retry is not None else Retry(give_up_after=10.0))))
