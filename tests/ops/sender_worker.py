"""A second process signing with the operator's key: issues rewards with distinct references.

`python -m tests.ops.sender_worker URL KEY CONTRACT CAMPAIGN PREFIX COUNT` prints `done N`.
"""

from __future__ import annotations

import sys

from eth_account import Account

from ledger.chain.client import LedgerClient
from ledger.chain.provider import web3_on
from ledger.chain.sender import Sender
from ledger.encoding import text_to_bytes


def main(url: str, key: str, contract: str, campaign: str, prefix: str, count: int) -> None:
    w3 = web3_on(url)
    client = LedgerClient(w3, contract)
    sender = Sender(w3, Account.from_key(key), timeout=60)
    cid = text_to_bytes(campaign)
    calls = [
        client.encode("issue", cid, bytes([7]) * 32, 1, text_to_bytes(f"{prefix}-{i}")) for i in range(count)
    ]
    gas = sender.estimate(client.address, calls[0])
    for start in range(0, count, 8):  # a few in flight at a time, as the CLI and the demo do
        sender.wait([sender.send(client.address, data, gas) for data in calls[start : start + 8]])
    print(f"done {count}", flush=True)


if __name__ == "__main__":
    main(*sys.argv[1:6], int(sys.argv[6]))
