"""The ledger's views at one block, read in JSON-RPC batches (an audit asks for thousands)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from eth_abi.abi import decode

from ledger.chain.client import CampaignState, LedgerClient, PlayerState
from ledger.chain.rpc import Retry, Rpc
from ledger.errors import RpcError
from ledger.indexer.service import endpoint_of

BATCH = 100


class ChainViews:
    """`playerOf` and `campaignOf` for many keys at `block`, plus the ledger's logs."""

    def __init__(self, client: LedgerClient, block: int, timeout: float = 60.0) -> None:
        self.client = client
        self.block = hex(block)
        self.rpc = Rpc(endpoint_of(client.w3), timeout)
        self.backoff = Retry(give_up_after=60.0)

    def _calls(self, name: str, keys: Sequence[bytes], types: list[str]) -> list[tuple[Any, ...]]:
        out: list[tuple[Any, ...]] = []
        for i in range(0, len(keys), BATCH):
            calls = [
                (
                    "eth_call",
                    (
                        {
                            "to": self.client.address,
                            "data": self.client.contract.encode_abi(name, args=[key]),
                        },
                        self.block,
                    ),
                )
                for key in keys[i : i + BATCH]
            ]
            answers = self.backoff.run(lambda calls=calls: self.rpc.batch(calls))  # type: ignore[misc]
            out.extend(decode(types, bytes.fromhex(answer[2:])) for answer in answers)
        return out

    def players(self, keys: Sequence[bytes]) -> list[PlayerState]:
        return [PlayerState(int(b), int(e)) for b, e in self._calls("playerOf", keys, ["uint256", "uint256"])]

    def campaigns(self, keys: Sequence[bytes]) -> list[CampaignState]:
        types = ["(uint128,uint128,uint40,uint40,bool,bytes32)"]
        return [
            CampaignState(int(c[0]), int(c[1]), int(c[2]), int(c[3]), bool(c[4]), bytes(c[5]))
            for (c,) in self._calls("campaignOf", keys, types)
        ]

    def logs(self, start: int, end: int) -> list[dict[str, Any]]:
        query = {"address": self.client.address.lower(), "fromBlock": hex(start), "toBlock": hex(end)}
        return list(self.backoff.run(lambda: self.rpc.call("eth_getLogs", [query])) or [])

    def block_hash(self, number: int) -> str | None:
        try:
            raw = self.backoff.run(lambda: self.rpc.call("eth_getBlockByNumber", [hex(number), False]))
        except RpcError:
            return None
        return str(raw["hash"]).lower() if raw else None

    def close(self) -> None:
        self.rpc.close()
