"""The chain's side of an audit, through one `Rpc`: the ledger's views at a block, its logs and blocks.

Views are encoded and decoded from the committed ABI (`ledger.artifact`) and read by the names
of their outputs, so a view that gains or reorders a field is still read right. Calls go out in
JSON-RPC batches: an audit asks for thousands.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

from eth_abi.abi import decode, encode
from eth_abi.exceptions import DecodingError
from eth_utils.abi import function_abi_to_4byte_selector, get_abi_input_types, get_abi_output_types

from ledger.artifact import load_artifact
from ledger.chain.client import CampaignState, LedgerClient, PlayerState, Totals
from ledger.chain.rpc import Rpc
from ledger.errors import ConfigError, NodeError

BATCH = 200  # calls per JSON-RPC batch


@dataclass(frozen=True)
class _View:
    selector: bytes
    inputs: list[str]
    outputs: list[str]
    names: list[str]  # output names; a single struct output is read by its fields' names


@cache
def _view(name: str) -> _View:
    for item in load_artifact().abi:
        if item.get("type") == "function" and item.get("name") == name:
            outputs = item["outputs"]
            fields = outputs[0]["components"] if len(outputs) == 1 and "components" in outputs[0] else outputs
            return _View(
                function_abi_to_4byte_selector(item),  # type: ignore[arg-type]
                list(get_abi_input_types(item)),  # type: ignore[arg-type]
                list(get_abi_output_types(item)),  # type: ignore[arg-type]
                [_snake(field["name"]) for field in fields],
            )
    raise KeyError(name)


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)([A-Z])", r"_\1", name).lower()


def node_url(client: LedgerClient) -> str:
    """The URL of the node `client` talks to (through the project's `Rpc`, or a plain HTTP provider)."""
    provider = client.w3.provider
    rpc = getattr(provider, "rpc", None)
    url = rpc.url if isinstance(rpc, Rpc) else getattr(provider, "endpoint_uri", None)
    if not url:
        raise ConfigError("the audit needs a node on an HTTP JSON-RPC endpoint")
    return str(url)


class ChainViews:
    """The ledger at `address`, read at `block` through `rpc`; logs and blocks by number."""

    def __init__(self, rpc: Rpc, address: str, block: int) -> None:
        self.rpc = rpc
        self.address = address.lower()
        self.block = block

    def call_many(self, name: str, args: Sequence[Sequence[Any]]) -> list[dict[str, Any]]:
        """`name(*a)` at the block for every `a` in `args`, each answer by output name."""
        view = _view(name)
        tag = hex(self.block)
        calls = [
            ("eth_call", ({"to": self.address, "data": "0x" + (view.selector + encode(view.inputs, a)).hex()}, tag))
            for a in args
        ]  # fmt: skip
        answers = self.rpc.batch_many(calls, BATCH)
        out = []
        for answer in answers:
            try:
                values = decode(view.outputs, bytes.fromhex(str(answer)[2:]))
            except (DecodingError, ValueError) as exc:
                raise NodeError(
                    f"the ledger's {name} answered {str(answer)[:20]!r} at block {self.block}"
                ) from exc
            if len(view.outputs) == 1 and len(view.names) > 1:
                values = values[0]  # a single struct: its fields
            out.append(dict(zip(view.names, values, strict=True)))
        return out

    def call(self, name: str, *args: Any) -> dict[str, Any]:
        return self.call_many(name, [args])[0]

    def players(self, keys: Sequence[bytes]) -> list[PlayerState]:
        return [PlayerState(**answer) for answer in self.call_many("playerOf", [(key,) for key in keys])]

    def campaigns(self, keys: Sequence[bytes]) -> list[CampaignState]:
        return [CampaignState(**answer) for answer in self.call_many("campaignOf", [(key,) for key in keys])]

    def totals(self) -> Totals:
        return Totals(**self.call("totals"))

    def chain_state(self) -> tuple[int, bytes]:
        answer = self.call("chainState")
        return int(answer["entry_count"]), bytes(answer["head"])

    def head_number(self) -> int:
        return int(self.rpc.call("eth_blockNumber"), 16)

    def logs(self, start: int, end: int) -> list[dict[str, Any]]:
        query = {"address": self.address, "fromBlock": hex(start), "toBlock": hex(end)}
        return list(self.rpc.call("eth_getLogs", [query]) or [])

    def blocks(self, numbers: Sequence[int], full: bool = False) -> dict[int, dict[str, Any] | None]:
        """Blocks by number (None where the chain has none), in JSON-RPC batches of `BATCH`."""
        calls = [("eth_getBlockByNumber", (hex(number), full)) for number in numbers]
        return dict(zip(numbers, self.rpc.batch_many(calls, BATCH), strict=True))
