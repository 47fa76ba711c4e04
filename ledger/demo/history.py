"""Playing the eight weeks of `ledger.demo.story` onto the chain, skipping whatever landed before.

On a fresh demo node the chain starts eight weeks in the past and its clock moves forward a
week at a time, so the history spreads over weeks as it would in a real program. Blocks are
mined on demand while this runs (no second-long waits), and singles, payouts and expiries are
sent many at a time, so the long histories cost the first run a few seconds.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from web3 import Web3

from ledger.chain.client import LedgerClient
from ledger.chain.sender import Sender
from ledger.demo import seed
from ledger.demo.story import Act, BatchFile, Expiry, Payout, Reversal, Single, Week, entries
from ledger.encoding import text_to_bytes
from ledger.errors import NodeError
from ledger.events import decode_log, event_topic
from ledger.ops.batch import load_or_save_plan, make_plan, read_batch_file, run_plan
from ledger.ops.entries import reverse_reward
from ledger.ops.lookup import RewardProof, scan_logs

WEEK = 7 * 86_400
MAX_IN_FLIGHT = 32

Progress = Callable[[Act, int], None]  # an act and how many of its entries just went (or were there)


def rpc(w3: Web3, method: str, params: list[Any]) -> Any:
    """One of the node's own methods (anvil's); an error answer is a `NodeError`."""
    reply: Any = w3.provider.make_request(method, params)  # type: ignore[arg-type]
    if "error" in reply:
        raise NodeError(f"the node refused {method}: {reply['error']}")
    return reply.get("result")


@contextmanager
def blocks_on_demand(w3: Web3, block_time: float) -> Iterator[None]:
    """A block for every transaction while the history is written, then regular blocks again."""
    rpc(w3, "evm_setAutomine", [True])
    yield
    rpc(w3, "evm_setIntervalMining", [int(block_time)])


@dataclass
class Clock:
    """The chain's clock: week n of the story happens at `start` + n weeks; it only ever moves
    forward, and never past the wall clock (on a chain that began now, it does not move)."""

    w3: Web3
    start: int

    def to_week(self, number: int) -> None:
        self._advance_to(self.start + number * WEEK)

    def to_now(self) -> None:
        self._advance_to(int(time.time()))

    def _advance_to(self, target: int) -> None:
        target = min(target, int(time.time()))
        now = int(self.w3.eth.get_block("latest")["timestamp"])
        if target > now + 60:
            rpc(self.w3, "evm_increaseTime", [target - now])


@dataclass
class Tally:
    sent: int = 0  # entries written now
    landed: int = 0  # entries found on chain from an earlier run


@dataclass
class Writer:
    """Writes the acts of the story, skipping each one that landed before."""

    client: LedgerClient
    sender: Sender
    files_dir: Path
    plans_dir: Path
    from_block: int
    progress: Progress
    batch_rows: int = 500
    tally: Tally = field(default_factory=Tally)
    _pending: list[bytes] = field(default_factory=list)
    _gas: dict[str, int] = field(default_factory=dict)
    _rewards: dict[bytes, RewardProof] = field(default_factory=dict)
    _scanned: int = -1

    def week(self, week: Week) -> None:
        refs = [act.ref for act in week.acts if isinstance(act, Single | Payout | Expiry)]
        landed = self.client.references_used([text_to_bytes(r) for r in refs], block="pending")
        used = dict(zip(refs, landed, strict=True))
        for act in week.acts:
            if isinstance(act, BatchFile):
                self.flush()
                self._batch(act)
            elif isinstance(act, Reversal):
                self.flush()
                self._reverse(act)
            elif used[act.ref]:
                self._count(act, landed=True)
            else:
                self._send(act)
        self.flush()

    def flush(self) -> None:
        """Waits for what was sent (a later act may read its effects)."""
        if self._pending:
            self.sender.wait(self._pending)
            self._pending = []

    def _count(self, act: Act, landed: bool) -> None:
        n = entries(act)
        if landed:
            self.tally.landed += n
        else:
            self.tally.sent += n
        self.progress(act, n)

    def _batch(self, act: BatchFile) -> None:
        path = seed.write_csv(self.files_dir / f"{act.name}.csv", list(act.rows))
        rows, digest = read_batch_file(path)
        plan = make_plan(rows, digest, text_to_bytes(act.campaign), self.batch_rows)
        outcome = run_plan(
            self.client, self.sender, load_or_save_plan(self.plans_dir, plan), rows, MAX_IN_FLIGHT,
            lambda n: self.progress(act, n),
        )  # fmt: skip
        self.tally.sent += outcome.rows_issued
        self.tally.landed += outcome.rows_skipped

    def _send(self, act: Single | Payout | Expiry) -> None:
        ref = text_to_bytes(act.ref)
        if isinstance(act, Single):
            kind, data = (
                "issue",
                self.client.encode("issue", text_to_bytes(act.campaign), act.player, act.amount, ref),
            )
        elif isinstance(act, Payout):
            kind, data = "payout", self.client.encode("recordPayout", act.player, act.amount, ref)
        else:
            reason = text_to_bytes(act.reason, what="reason")
            kind, data = "expire", self.client.encode("expire", act.player, act.amount, ref, reason)
        if kind not in self._gas:  # the first of its kind is estimated on settled state
            self.flush()
            self._gas[kind] = 2 * self.sender.estimate(self.client.address, data)
        self._pending.append(self.sender.send(self.client.address, data, self._gas[kind]))
        if len(self._pending) >= MAX_IN_FLIGHT:
            self.flush()
        self._count(act, landed=False)

    def _reverse(self, act: Reversal) -> None:
        proof = self._reward(act.reward_ref)
        if self.client.reversal_of(proof.seq):
            self._count(act, landed=True)
            return
        reverse_reward(self.client, self.sender, proof, act.amount, text_to_bytes(act.reason, what="reason"))
        self._count(act, landed=False)

    def _reward(self, ref: str) -> RewardProof:
        """The issuance of the reward with this reference (a single's or a batch row's), read
        from the chain's logs; logs are read once, from where the last look stopped."""
        key = ref.encode()
        if key not in self._rewards:
            latest = int(self.client.w3.eth.block_number)
            topics = [event_topic("RewardIssued"), event_topic("BatchIssued")]
            for raw in scan_logs(self.client, topics, max(self.from_block, self._scanned + 1), latest):
                self._remember(decode_log(raw).args)
            self._scanned = latest
        if key not in self._rewards:
            raise NodeError(f"no reward with reference {ref!r} on chain")
        return self._rewards[key]

    def _remember(self, a: dict[str, Any]) -> None:
        if "records" not in a:  # a single issue
            records = a["player"] + a["amount"].to_bytes(32, "big")
            proof = RewardProof(a["ref"], a["campaignId"], a["seq"], records, 0, a["player"], a["amount"])
            self._rewards[a["ref"].rstrip(b"\0")] = proof
            return
        records = a["records"]
        for index in range(len(records) // 64):
            row = records[index * 64 : index * 64 + 64]
            amount = int.from_bytes(row[52:], "big")
            proof = RewardProof(
                a["batchId"], a["campaignId"], a["firstSeq"], records, index, row[:32], amount
            )
            self._rewards[row[32:52].rstrip(b"\0")] = proof


def play(weeks: list[Week], clock: Clock, writer: Writer) -> Tally:
    """Every week of the story, each at its time on the chain's clock."""
    for week in weeks:
        clock.to_week(week.number)
        writer.week(week)
    clock.to_now()
    return writer.tally
