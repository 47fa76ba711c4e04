"""The page's verifier functions other pages call one by one (verifyEntries, verifyBalance,
historyProblems, totalsOnChain) keep working beside verifyPlayer, under Node against a real API
and anvil."""

from __future__ import annotations

from typing import Any

import httpx

from tests.verify.conftest import Served
from tests.verify.node import run_js

PARTS = """
const v = m["verify.js"], { Rpc } = m["rpc.js"];
const rpc = new Rpc(input.rpc);
const { balance: b, entries, contract, player } = input;
const { chainId, problems } = await v.verifyEntries(rpc, entries, { contract, player });
const balance = await v.verifyBalance(rpc, { contract, player, block: b.as_of_block, blockHash: b.as_of_block_hash,
                                             available: b.available, earned: b.earned });
const history = v.historyProblems(entries, b.as_of_block, balance.chain);
const totals = await v.totalsOnChain(rpc, contract, b.as_of_block);
return { chainId, entries: Object.fromEntries(problems), balance: balance.problems, history, count: totals.entryCount };
"""


def answers(served: Served, name: str) -> dict[str, Any]:
    key = served.world.key(name)
    with httpx.Client(base_url=served.url) as http:
        balance = http.get(f"/v1/players/{key}/balance").json()
        entries = http.get(f"/v1/players/{key}/history", params={"limit": 500}).json()["entries"]
    return {"balance": balance, "entries": entries, "contract": served.world.address.lower(), "player": key, "rpc": served.rpc}  # fmt: skip


def test_the_page_parts_verify_an_honest_answer(served: Served) -> None:
    data = answers(served, "alice")
    found = run_js(PARTS, data)
    assert found["chainId"] == 31337
    assert found["entries"] == {str(e["seq"]): [] for e in data["entries"]}
    assert (found["balance"], found["history"]) == ([], [])
    assert int(found["count"]) == served.world.client.chain_state()[0]


def test_the_page_parts_catch_a_changed_amount_and_sender(served: Served) -> None:
    data = answers(served, "alice")
    first, second = data["entries"][-1], data["entries"][-2]
    first["amount"] = str(int(first["amount"]) + 5)
    second["sender"] = "0x" + "5e" * 20
    found = run_js(PARTS, data)
    assert found["entries"][str(first["seq"])] == [f"its amount is {first['amount']} here but {int(first['amount']) - 5} on chain"]  # fmt: skip
    assert found["entries"][str(second["seq"])] == [f"it was sent by {served.world.operator} on chain, not 0x{'5e' * 20}"]  # fmt: skip
    assert found["history"] and found["balance"] == []
