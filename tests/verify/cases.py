"""The shared verification cases: the real API's honest answers about a real ledger, and copies
tampered the ways a lying API could lie. Each case says what both verifiers must conclude (verdict,
problem categories, entries found newer than the API); `ledger verify` and the page's verifier
judge every case against the same anvil (tests/verify/test_verification_cases.py).
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from tests.verify.caseworld import Answers, CaseWorld, Json

ZERO = "0x" + "00" * 32


@dataclass
class Case:
    name: str
    about: str  # what the API says that is not so (or "honest")
    player: str  # 0x key
    answers: Answers
    expect: str  # verified, failed, or error (a malformed answer)
    categories: list[str] = field(default_factory=list)
    newer: list[int] = field(default_factory=list)
    at: int = 0
    max_lag: int | None = None  # None: the default
    contract: str | None = None  # the ledger the player expects (None: the API's)

    def as_json(self) -> Json:
        out = asdict(self)
        out["answers"] = {
            "balance": self.answers.balance,
            "entries": self.answers.entries,
            "proofs": {str(block): proof for block, proof in self.answers.proofs.items()},
        }
        return out


def write_cases(cases: list[Case], path: Path, rpc: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"rpc": rpc, "cases": [c.as_json() for c in cases]}, indent=1))


def _sum(entries: list[Json], kind: str) -> int:
    return sum(int(e["amount"]) for e in entries if e["kind"] == kind)


def refigure(a: Answers) -> Answers:
    """A consistent liar: the balance's figures made to match the (tampered) entries."""
    e = a.entries
    issued, paid, rev, exp = (_sum(e, k) for k in ("issued", "paid", "reversed", "expired"))
    a.balance.update(available=str(issued - paid - rev - exp), earned=str(issued), paid=str(paid),
                     reversed=str(rev), expired=str(exp), entries=len(e))  # fmt: skip
    return a


def entry(a: Answers, pick: Callable[[Json], bool]) -> Json:
    return next(e for e in a.entries if pick(e))


def honest_cases(cw: CaseWorld) -> Iterator[Case]:
    key, at = cw.world.key, cw.block
    for name in ("alice", "bob", "carol", "whale", "dave"):
        about = "honest" + (", with newer entries on chain" if cw.newer.get(name) else "")
        yield Case(f"honest-{name}", about, key(name), cw.answers[name].copy(), "verified", [], cw.newer.get(name, []), at)  # fmt: skip
    yield Case("honest-at-the-api-block", "honest, judged at the API's own block", key("alice"),
               cw.answers["alice"].copy(), "verified", [], [], cw.api_block)  # fmt: skip
    yield Case("honest-at-an-earlier-block", "honest, judged at a block before the API's (the API is ahead)",
               key("alice"), cw.answers["alice"].copy(), "verified", [], [], cw.earlier)  # fmt: skip
    refused = cw.answers["bob"].copy()
    refused.proofs.clear()
    yield Case("proof-refused", "honest, but refuses the proof (the node's own is checked)", key("bob"), refused, "verified", [], [], at)  # fmt: skip
    yield Case("honest-expected-contract", "honest, the player names the ledger", key("bob"),
               cw.answers["bob"].copy(), "verified", [], [], at, contract=cw.world.address.lower())  # fmt: skip


def omission_cases(cw: CaseWorld) -> Iterator[Case]:
    key, at = cw.world.key, cw.block
    a = cw.answers["bob"].copy()
    a.entries.remove(payout(a))
    yield Case("omitted-entry", "leaves a payout out, figures unchanged", key("bob"), a, "failed", ["history"], [], at)  # fmt: skip
    yield Case("omitted-entry-consistent", "leaves a payout out, figures made to match", key("bob"),
               refigure(a.copy()), "failed", ["balance", "history"], [], at)  # fmt: skip
    yield from _backdated(cw)
    lagging = cw.answers["alice"].copy()
    yield Case("too-far-behind", "honest but behind by more than max-lag", key("alice"), lagging,
               "failed", ["lag"], [], at, max_lag=at - cw.api_block - 1)  # fmt: skip
    late = cw.answers["alice"].copy()
    extra = copy.deepcopy(late.entries[-1])  # named as the real newer entry, placed after the API's block
    extra["seq"] = extra["verification"]["seq"] = cw.newer["alice"][0]
    extra["verification"]["block_number"] = cw.api_block + 1
    late.entries.append(extra)
    yield Case("entry-after-its-block", "lists an entry claimed after its own block", key("alice"), late,
               "failed", ["listing", "block", "location", "history"], cw.newer["alice"], at)  # fmt: skip


def _backdated(cw: CaseWorld) -> Iterator[Case]:
    """Issue 10's lie: the newest entry left out and the API's block moved back to just before it."""
    a = cw.answers["bob"].copy()
    newest = a.entries.pop()
    before = newest["verification"]["block_number"] - 1
    a.balance.update(
        as_of_block=before, as_of_block_hash=cw.world.w3.eth.get_block(before)["hash"].to_0x_hex()
    )
    refigure(a)
    lag = cw.block - before
    yield Case("backdated-answer", "leaves the newest entry out and moves its block back before it",
               cw.world.key("bob"), a, "verified", [], [newest["seq"]], cw.block, max_lag=lag)  # fmt: skip
    yield Case("backdated-answer-beyond-max-lag", "the same, further back than max-lag", cw.world.key("bob"),
               a.copy(), "failed", ["lag"], [], cw.block, max_lag=lag - 1)  # fmt: skip


def first_single(a: Answers) -> Json:
    return entry(a, lambda e: e["verification"]["event"] == "RewardIssued")


def payout(a: Answers) -> Json:
    return entry(a, lambda e: e["kind"] == "paid")


def batch_row(a: Answers) -> Json:
    return entry(a, lambda e: e["verification"]["event"] == "BatchIssued")


def flip_last_byte(node: str) -> str:
    return node[:-2] + ("01" if node[-2:] == "00" else "00")


def entry_tampers(cw: CaseWorld) -> list[tuple[str, str, str, Callable[[Answers], Any], list[str]]]:
    """(case, what the API says, player, how its answers are changed, categories expected)."""
    bobs_payout, bobs_reward = payout(cw.answers["bob"]), first_single(cw.answers["bob"])
    alice = cw.world.key("alice")

    def add_1000(a: Answers) -> None:
        a.entries[0]["amount"] = str(int(a.entries[0]["amount"]) + 1000)

    def add_1000_everywhere(a: Answers) -> None:
        add_1000(a)
        refigure(a)

    def list_in_order(a: Answers, e: Json) -> None:
        a.entries.append(e)
        a.entries.sort(key=lambda x: x["seq"])

    def move_bobs_reward(a: Answers) -> None:
        list_in_order(a, dict(bobs_reward, player=alice))
        refigure(a)

    def point_at_bobs_payout(a: Answers, whole: bool) -> None:
        names = ("tx_hash", "log_index", "block_number", "block_hash") if whole else ("tx_hash", "log_index")
        payout(a)["verification"].update({k: bobs_payout["verification"][k] for k in names})
        if whole:
            payout(a)["block_time"] = bobs_payout["block_time"]

    def shift_log_index(a: Answers) -> None:
        batch_row(a)["verification"]["log_index"] += 1

    def shift_batch_row(a: Answers) -> None:
        a.entries[3]["verification"]["batch_index"] += 1

    return [
        ("changed-amount", "adds 1000 to an amount", "alice", add_1000, ["fields", "history"]),
        ("changed-amount-consistent", "adds 1000 to an amount and to the figures", "alice", add_1000_everywhere, ["fields", "balance", "history"]),
        ("moved-to-another-player", "shows bob's reward as alice's, figures made to match", "alice", move_bobs_reward, ["fields", "balance", "history"]),
        ("another-players-entry", "lists bob's reward, as bob's, in alice's history", "alice", lambda a: list_in_order(a, bobs_reward), ["listing", "history"]),
        ("listed-twice", "lists a reward twice", "carol", lambda a: a.entries.insert(1, a.entries[0]), ["listing", "history"]),
        ("out-of-order", "swaps two entries", "alice", lambda a: a.entries.insert(0, a.entries.pop(1)), ["listing"]),
        ("wrong-transaction", "points a payout at another player's real payout (transaction and log index)", "alice", lambda a: point_at_bobs_payout(a, False), ["location"]),
        ("wrong-location", "points a payout at another real payout, block and time included", "alice", lambda a: point_at_bobs_payout(a, True), ["location"]),
        ("wrong-log-index", "moves a batch row to a log index its transaction does not have", "alice", shift_log_index, ["location"]),
        ("wrong-sender", "changes the sender", "bob", lambda a: payout(a).update(sender="0x" + "5e" * 20), ["sender"]),
        ("wrong-time", "moves an entry's time an hour back", "carol", lambda a: a.entries[0].update(block_time=a.entries[0]["block_time"] - 3600), ["time"]),
        ("wrong-head", "changes a single entry's hash-chain head", "bob", lambda a: payout(a)["verification"].update(head="0x" + "dd" * 32), ["head"]),
        ("wrong-batch-head", "changes a batch row's hash-chain head", "whale", lambda a: a.entries[3]["verification"].update(head="0x" + "cc" * 32), ["head"]),
        ("wrong-batch-row", "names another row of the batch", "whale", shift_batch_row, ["fields"]),
        ("wrong-reversed-reward", "says a reversal took back another reward", "alice", lambda a: entry(a, lambda e: e["kind"] == "reversed").update(reward_seq=bobs_payout["seq"]), ["fields"]),
        ("wrong-reference", "changes a payout's reference", "alice", lambda a: payout(a).update(ref="0x" + "ee" * 32), ["fields"]),
        ("wrong-batch-id", "names another batch id for a batch row", "whale", lambda a: a.entries[0].update(batch_id="0x" + "ba" * 32), ["fields"]),
    ]  # fmt: skip


def entry_cases(cw: CaseWorld) -> Iterator[Case]:
    for name, about, player, change, categories in entry_tampers(cw):
        a = cw.answers[player].copy()
        change(a)
        yield Case(
            name, about, cw.world.key(player), a, "failed", categories, cw.newer.get(player, []), cw.block
        )


def chain_cases(cw: CaseWorld) -> Iterator[Case]:
    key, at = cw.world.key, cw.block
    log = cw.foreign_log
    a = cw.answers["alice"].copy()
    single = entry(a, lambda e: e["verification"]["event"] == "RewardIssued")
    block = cw.world.w3.eth.get_block(int(log["blockNumber"], 16))
    single.update(block_time=block["timestamp"])
    single["verification"].update(tx_hash=log["transactionHash"], log_index=int(log["logIndex"], 16),
                                  block_number=int(log["blockNumber"], 16), block_hash=log["blockHash"])  # fmt: skip
    yield Case("foreign-contract-entry", "places a reward at a look-alike log of another ledger", key("alice"), a, "failed", ["location"], cw.newer["alice"], at)  # fmt: skip
    served = cw.answers["bob"].copy()
    served.balance["contract"] = cw.foreign_ledger
    for e in served.entries:
        e["verification"]["contract"] = cw.foreign_ledger
    yield Case("foreign-contract-expected", "serves another ledger than the player expects", key("bob"), served, "failed", ["contract"], [], at, contract=cw.world.address.lower())  # fmt: skip
    odd = served.copy()
    odd.balance["contract"] = cw.not_a_ledger
    yield Case("foreign-contract-code", "names a contract whose code is not the ledger's", key("bob"), odd, "failed", ["contract"], [], at)  # fmt: skip
    a = cw.answers["alice"].copy()
    a.entries[0]["verification"]["block_hash"] = "0x" + "ab" * 32
    yield Case("non-canonical-block", "names a block hash that is not the node's", key("alice"), a, "failed", ["block", "location"], cw.newer["alice"], at)  # fmt: skip
    yield Case("stale-fork", "answers from blocks a reorganisation replaced", key("dave"), cw.stale.copy(), "failed", ["block", "location"], [], at)  # fmt: skip
    a = cw.answers["carol"].copy()
    a.balance["as_of_block_hash"] = "0x" + "ab" * 32
    yield Case("api-block-not-canonical", "names a hash for its block that is not the node's", key("carol"), a, "failed", ["block"], cw.newer["carol"], at)  # fmt: skip
    a = cw.answers["carol"].copy()
    a.balance["chain_id"] = 1
    yield Case("wrong-chain", "says it serves another chain", key("carol"), a, "failed", ["chain"], [], at)  # fmt: skip
    a = cw.answers["bob"].copy()
    a.balance["available"] = str(int(a.balance["available"]) + 1000)
    yield Case("wrong-balance", "adds 1000 to the available balance", key("bob"), a, "failed", ["balance", "history"], [], at)  # fmt: skip
    a = cw.answers["bob"].copy()
    a.entries[0]["amount"] = "12.5"
    yield Case("malformed-amount", "writes an amount that is not an integer", key("bob"), a, "error", [], [], at)  # fmt: skip


def proof_cases(cw: CaseWorld) -> Iterator[Case]:
    key, at = cw.world.key, cw.block

    def with_proof(name: str, about: str, change: Callable[[Json], Any], player: str = "bob") -> Case:
        a = cw.answers[player].copy()
        change(a.proofs[at])
        return Case(name, about, key(player), a, "failed", ["proof"], cw.newer.get(player, []), at)

    def flip_storage_node(p: Json) -> None:
        p["storage_proof"]["proof"][-1] = flip_last_byte(p["storage_proof"]["proof"][-1])

    def flip_account_node(p: Json) -> None:
        p["account_proof"][0] = flip_last_byte(p["account_proof"][0])

    yield with_proof("proof-storage-node-changed", "changes a byte of the storage proof", flip_storage_node)
    yield with_proof("proof-account-node-changed", "changes a byte of the account proof", flip_account_node)
    yield with_proof("proof-inflated-balance", "states a higher balance beside a true proof", lambda p: p.update(balance=str(int(p["balance"]) + 1000)))  # fmt: skip
    yield with_proof("proof-of-another-player", "serves another player's proof", lambda p: p.update(cw.answers["alice"].proofs[at]))  # fmt: skip
    yield with_proof("proof-of-another-block", "serves the proof of an older block", lambda p: p.update(cw.answers["bob"].proofs[cw.api_block]))  # fmt: skip
    yield with_proof("proof-header-changed", "changes the state root in the proof's header", lambda p: p["header"].update(stateRoot="0x" + "11" * 32))  # fmt: skip


def all_cases(cw: CaseWorld) -> list[Case]:
    cases = [*honest_cases(cw), *omission_cases(cw), *entry_cases(cw), *chain_cases(cw), *proof_cases(cw)]
    assert len({c.name for c in cases}) == len(cases)
    return cases
