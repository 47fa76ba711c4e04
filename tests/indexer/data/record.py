"""Regenerates `every_kind.json`: the raw logs and blocks of a ledger with every event kind.

Run from the project root: `.venv/bin/python -m tests.indexer.data.record` (starts its own anvil).
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

from eth_account import Account
from web3 import Web3

from ledger.chain.node import LocalNode
from ledger.chain.rpc import Retry, Rpc
from ledger.indexer.extract import Extractor
from tests.conftest import deploy_on, free_port, fund
from tests.indexer.conftest import every_kind

OUT = Path(__file__).with_name("every_kind.json")


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        node = LocalNode(Path(tmp), port=free_port(), persist=False)
        node.start()
        try:
            w3 = Web3(Web3.HTTPProvider(node.url))
            account = Account.create()
            fund(w3, account.address)
            ledger = deploy_on(w3, account)
            client = ledger.client
            every_kind(ledger)
            extractor = Extractor(Rpc(node.url), client.address, Retry())
            head = extractor.head_number()
            logs = extractor.logs(ledger.deploy_block, head)
            numbers = sorted({int(log["blockNumber"], 16) for log in logs})
            blocks = {n: b.__dict__ for n, b in extractor.blocks(numbers, full=True).items() if b}
            record = {
                "chain_id": client.chain_id,
                "contract": client.address.lower(),
                "logs": logs,
                "blocks": blocks,
            }
            OUT.write_text(json.dumps(record, indent=1) + "\n", encoding="utf-8")
        finally:
            node.stop()


if __name__ == "__main__":
    main()
