"""The ledger's views and code as the verifier reads them: calls encoded and answers decoded
through the committed ABI (ledger.artifact), nothing restated by hand."""

from __future__ import annotations

from functools import cache
from typing import Any

from eth_abi.abi import decode, encode
from eth_utils.abi import function_abi_to_4byte_selector, get_abi_input_types, get_abi_output_types
from eth_utils.crypto import keccak

from ledger.artifact import load_artifact
from ledger.chain.rpc import Rpc
from ledger.errors import NodeError
from ledger.verify.proofs import hex_bytes


@cache
def _function(name: str) -> Any:
    for item in load_artifact().abi:
        if item["type"] == "function" and item["name"] == name:
            return item
    raise KeyError(name)


def view_call(contract: str, name: str, *args: Any) -> dict[str, str]:
    """The `eth_call` transaction of view `name` with `args`."""
    item = _function(name)
    data = function_abi_to_4byte_selector(item) + encode(get_abi_input_types(item), list(args))
    return {"to": contract, "data": "0x" + data.hex()}


def decode_view(name: str, raw: Any) -> tuple[Any, ...]:
    """The outputs of view `name` from an `eth_call` answer."""
    try:
        return tuple(decode(get_abi_output_types(_function(name)), hex_bytes(raw)))
    except Exception as exc:
        raise NodeError(f"the node's answer to {name} does not decode: {exc}") from exc


def players_on_chain(rpc: Rpc, contract: str, player: bytes, blocks: list[int]) -> list[tuple[int, int]]:
    """(balance, lifetime earned) from the contract's `playerOf` at each of `blocks`, in one batch."""
    answers = rpc.batch([("eth_call", [view_call(contract, "playerOf", player), hex(b)]) for b in blocks])
    return [(int(balance), int(earned)) for balance, earned in (decode_view("playerOf", a) for a in answers)]


@cache
def ledger_code_hash() -> bytes:
    """keccak256 of the ledger's runtime code, as the committed artifact holds it."""
    return keccak(hex_bytes(load_artifact().deployed_bytecode))


def is_ledger(rpc: Rpc, address: str, block: int) -> bool | None:
    """Whether the code at `address` at `block` is this project's ledger contract (not a look-alike);
    None when there is no code there at all."""
    code = hex_bytes(rpc.call("eth_getCode", [address, hex(block)]))
    return keccak(code) == ledger_code_hash() if code else None
