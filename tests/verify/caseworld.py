"""A ledger on its own anvil, and the real API's answers about it, from which the shared
verification cases are made (tests/verify/cases.py tampers with copies of the answers).

Besides the API tests' world (every entry kind, batches, a whale) it holds: a second ledger and a
contract that is not a ledger (foreign contracts), a player whose entry was mined in a block that a
real reorganisation then replaced (answers captured before it), and entries recorded after the
mirror's block (what a lagging API has not seen yet).
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from eth_account import Account
from eth_utils.crypto import keccak
from web3 import Web3

from api.main import create_app
from ledger.chain.node import LocalNode
from ledger.chain.sender import Sender
from ledger.encoding import Row, pack_rows, text_to_bytes
from ledger.ops.entries import issue_one
from tests.api.conftest import settings_for
from tests.api.world import World, build_world, index_into
from tests.conftest import deploy_on, fund
from tests.verify.server import serving

Json = dict[str, Any]
# init code that deploys the one-byte runtime 0x00 (STOP): a contract, but not the ledger
NOT_A_LEDGER = bytes.fromhex("600180600b6000396000f300")


@dataclass
class Answers:
    """What the API answered about one player: balance, history up to its block, proofs by block."""

    balance: Json
    entries: list[Json]
    proofs: dict[int, Json] = field(default_factory=dict)

    def copy(self) -> Answers:
        return copy.deepcopy(self)


@dataclass
class CaseWorld:
    world: World
    rpc: str
    api_block: int  # the block the honest API is as of
    block: int  # the block the cases are judged at (newer entries lie between the two)
    answers: dict[str, Answers]  # honest, by player name
    stale: Answers  # dave's answers from a mirror of a chain a reorganisation then replaced
    foreign_ledger: str
    foreign_log: Json  # a real RewardIssued log of the foreign ledger, for alice
    not_a_ledger: str
    newer: dict[str, list[int]]  # seqs recorded after the API's block, by player name
    earlier: int  # a block amid alice's history, before the API's


def _rpc(w3: Web3, method: str, *params: Any) -> Any:
    answer = w3.provider.make_request(method, list(params))  # type: ignore[arg-type]
    assert "error" not in answer, answer
    return answer["result"]


def capture(url: str, world: World, node: LocalNode, names: list[str], proof_blocks: list[int]) -> dict[str, Answers]:  # fmt: skip
    """The real API's answers over the mirror at `url`, as a verifier asks for them."""
    app = create_app(settings_for(url, world, node))
    out: dict[str, Answers] = {}
    with serving(app) as base, httpx.Client(base_url=base, timeout=30) as http:
        for name in names:
            path = f"/v1/players/{world.key(name)}"
            balance = http.get(f"{path}/balance").raise_for_status().json()
            query = {"order": "asc", "to_block": balance["as_of_block"], "limit": 500}
            page = http.get(f"{path}/history", params=query)
            entries = page.raise_for_status().json()["entries"]
            assert len(entries) < 500 and balance["entries"] == len(entries)
            proofs = {b: http.get(f"{path}/proof", params={"block": b}).raise_for_status().json() for b in proof_blocks}  # fmt: skip
            out[name] = Answers(balance, entries, proofs)
    return out


def build_case_world(node: LocalNode, tmp: Path) -> CaseWorld:
    w3 = Web3(Web3.HTTPProvider(node.url, request_kwargs={"timeout": 60}))
    operator = Account.create()
    fund(w3, operator.address)
    world = build_world(w3, operator, tmp / "terms", whale_rows=40)
    sender = Sender(w3, operator, timeout=60)
    foreign = deploy_on(w3, operator, roles=("issuer",))
    alice = world.players["alice"]
    landed = issue_one(
        foreign.client, foreign.sender, foreign.campaign("welcome"), alice, 100, text_to_bytes("a-1")
    )
    foreign_log = _rpc(w3, "eth_getTransactionReceipt", "0x" + landed.tx_hash.hex())["logs"][-1]
    not_a_ledger = sender.wait([sender.send_create(NOT_A_LEDGER, 100_000)])[0].contract_address
    stale = _stale_answers(world, node, sender, tmp)
    url = f"sqlite:///{tmp / 'mirror.db'}"
    index_into(world, url)
    api_block = int(w3.eth.block_number)
    newer = _entries_after_the_mirror(world, sender)
    _rpc(w3, "anvil_mine", hex(2))
    block = int(w3.eth.block_number)
    names = ["alice", "bob", "carol", "whale", "dave"]
    earlier = capture(url, world, node, ["alice"], [])["alice"].entries[3]["verification"]["block_number"]
    answers = capture(url, world, node, names, [api_block, block, earlier])
    assert all(a.balance["as_of_block"] == api_block for a in answers.values())
    return CaseWorld(world, node.url, api_block, block, answers, stale, foreign.client.address.lower(),
                     foreign_log, str(not_a_ledger).lower(), newer, earlier)  # fmt: skip


def _stale_answers(world: World, node: LocalNode, sender: Sender, tmp: Path) -> Answers:
    """Dave's answers from a mirror of blocks a reorganisation then replaced: his entry mined in
    block X, the mirror indexed to X + 1, then X and X + 1 replaced, the same transaction re-mined
    in the new X + 1. The old block X is a real block that is no longer canonical."""
    w3 = world.w3
    world.players["dave"] = keccak(text="test-player:dave")
    landed = issue_one(world.client, sender, world.campaigns["welcome"], world.players["dave"], 25, text_to_bytes("d-1"))  # fmt: skip
    _rpc(w3, "anvil_mine", hex(1))
    url = f"sqlite:///{tmp / 'stale.db'}"
    index_into(world, url)
    stale = capture(url, world, node, ["dave"], [])["dave"]
    old_hash = w3.eth.get_block(landed.block_number)["hash"]
    raw = _rpc(w3, "eth_getRawTransactionByHash", "0x" + landed.tx_hash.hex())
    _rpc(w3, "anvil_reorg", 2, [[raw, 1]])
    moved = w3.eth.get_transaction_receipt(landed.tx_hash)
    assert moved["blockNumber"] == landed.block_number + 1
    assert w3.eth.get_block(landed.block_number)["hash"] != old_hash
    return stale


def _entries_after_the_mirror(world: World, sender: Sender) -> dict[str, list[int]]:
    """A single issue to alice and a batch with rows for alice and carol, after the mirror's block."""
    p, c = world.players, world.campaigns
    single = issue_one(world.client, sender, c["summer"], p["alice"], 11, text_to_bytes("late-1"))
    rows = [Row(p["carol"], 13, b"late-b-carol"), Row(p["alice"], 12, b"late-b-alice")]
    data = world.client.encode("issueBatch", text_to_bytes("late-batch"), c["summer"], pack_rows(rows))
    sender.transact(world.client.address, data)
    first = single.seq + 1
    return {"alice": [single.seq, first + 1], "carol": [first]}
