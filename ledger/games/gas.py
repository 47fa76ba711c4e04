"""What the tier view costs: cold (as a transaction's first touch of the ledger and the table)
and warm (the same call once its accounts and slots are warm, via an EIP-2930 access list)."""

from __future__ import annotations

from typing import Any

from ledger.games.contract import GamesClient

TX_BASE = 21_000
ACCESS_ADDRESS = 2_400
ACCESS_KEY = 1_900


def calldata_gas(data: bytes) -> int:
    return sum(4 if byte == 0 else 16 for byte in data)


def view_gas(games: GamesClient, player: bytes) -> tuple[int, int]:
    """(cold, warm) execution gas of `tierOf(player)`, without the 21,000 base and calldata."""
    data = games.encode("tierOf", player)
    call: dict[str, Any] = {"to": games.address, "data": "0x" + data.hex()}
    overhead = TX_BASE + calldata_gas(data)
    cold = int(games.w3.eth.estimate_gas(call)) - overhead  # type: ignore[arg-type]
    listed = games.w3.provider.make_request("eth_createAccessList", [call, "latest"])  # type: ignore[arg-type]
    access = listed["result"]["accessList"]
    prepaid = sum(ACCESS_ADDRESS + ACCESS_KEY * len(item["storageKeys"]) for item in access)
    with_list = int(games.w3.eth.estimate_gas(call | {"accessList": access}))  # type: ignore[arg-type]
    return cold, with_list - overhead - prepaid
