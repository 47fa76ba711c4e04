"""The one sender: turns waiting outbox rows into transactions, as `ledger issue-batch` does.

Each cycle takes the ledger's write lock (`Writer.writing`: an earlier killed run's journal is
settled first), claims waiting reward rows, looks their references up in what landed
(`check_rewards`, the CLI's look-up), marks those that landed (same content: `mined` with their
entry; other content: `failed`, naming the entry), plans the rest in canonical batches, checks the
campaign (`preflight`) and sends them (`send_batches`: nonces, gas, journal). Then it looks the
sent references up again and records each row's entry and block. Payouts and expiries go one
transaction each through `ledger.ops.single`, like `ledger payout` / `ledger expire`. Rows whose
block the chain finalised are looked up once more and become `final` (or wait again if a
reorganisation took them away).
"""

from __future__ import annotations

import logging
import threading
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import Engine
from web3.exceptions import Web3Exception

from ledger.encoding import Row, hex32, row_ref_word
from ledger.errors import ContractRevert, InputError, ReferenceConflict
from ledger.operator import queue
from ledger.operator.campaigns import send_campaign
from ledger.operator.loop import run_cycles
from ledger.operator.outbox import Write
from ledger.operator.reversals import send_reversal
from ledger.ops import single
from ledger.ops.batch import plan_batches, preflight, send_batches, split_landed
from ledger.ops.issuance import RewardRows, check_rewards
from ledger.ops.writer import Writer

log = logging.getLogger("ledger.operator")
LABEL = "api"


@dataclass
class SenderOptions:
    rows_per_batch: int = 500
    max_in_flight: int = 32
    claim_rows: int = 20_000  # reward rows a cycle takes at most
    claim_debits: int = 200
    lease: float = 300.0  # seconds a claimed row stays with its sender (PostgreSQL)
    poll: float = 0.2  # seconds between looks at an idle outbox
    confirmations: int = 12  # depth taken as final when the node has no finalized tag


class OperatorSender:
    def __init__(self, engine: Engine, writer: Writer, options: SenderOptions | None = None) -> None:
        self.engine = engine
        self.writer = writer
        self.options = options or SenderOptions()

    def run(self, stop: threading.Event) -> None:
        """Cycles until `stop` is set; an error is logged and the next cycle tries again."""
        run_cycles("operator sender", self.cycle, stop, self.options.poll)

    def cycle(self) -> bool:
        """One round: rewards, then payouts and expiries, then finality. Whether it did anything."""
        busy = False
        if queue.waiting(self.engine):
            campaigns = self._one_by_one(("campaign", "close"), self._campaign)  # rewards may need them
            rewards = self._reward_round()
            debits = self._one_by_one(("debit",), self._debit)
            reversals = self._one_by_one(("reversal",), self._reversal)
            busy = campaigns or rewards or debits or reversals
        return self.promote() or busy

    def _reward_round(self) -> bool:
        with self.writer.writing("operator API: send accepted rewards") as sender:
            claimed = queue.claim(self.engine, "reward", self.options.claim_rows, self.options.lease)
            by_campaign: dict[bytes, list[Write]] = defaultdict(list)
            for write in claimed:
                assert write.campaign_id is not None
                by_campaign[write.campaign_id].append(write)
            for campaign_id, writes in by_campaign.items():
                self._send_campaign(sender.address, campaign_id, writes)
        return bool(claimed)

    def _send_campaign(self, account: str, campaign_id: bytes, writes: list[Write]) -> None:
        client = self.writer.client
        by_ref = {w.ref: w for w in writes}
        rows = RewardRows(campaign_id, [Row(w.player, w.amount, w.ref[:20]) for w in writes], {}, LABEL)
        check = check_rewards(self.writer, rows)
        queue.mark_landed(
            self.engine, [(by_ref[row_ref_word(r.ref)].id, h.seq, h.block) for r, h in check.skipped]
        )
        for row, had in check.refused:
            queue.mark(
                self.engine, [by_ref[row_ref_word(row.ref)].id], status="failed", conflict_seq=had.seq,
                failure=f"reference already landed as entry {had.seq} with other content",
            )  # fmt: skip
        if not check.send:
            return
        sending = [by_ref[row_ref_word(r.ref)].id for r in check.send]
        planned = plan_batches(check.send, campaign_id, self.options.rows_per_batch, LABEL)
        todo, _ = split_landed(client, planned, self.writer.deploy_block)
        try:
            if client.paused():
                queue.mark(self.engine, sending, status="accepted")  # waits for the ledger to unpause
                return
            if todo:
                preflight(client, account, campaign_id, sum(b.total for b in todo))
        except InputError as exc:
            queue.mark(self.engine, sending, status="failed", failure=str(exc))
            return
        for batch in planned:
            queue.set_batch(self.engine, batch.batch_id, [row_ref_word(r.ref) for r in batch.rows])
        send_batches(client, self.writer.signer(), todo, self.writer.deploy_block, self.options.max_in_flight)
        found, _ = self.writer.find_rewards([row_ref_word(r.ref) for r in check.send])
        queue.mark_landed(self.engine, [(by_ref[ref].id, h.seq, h.block) for ref, h in found.items()])

    def _one_by_one(self, namespaces: tuple[str, ...], send: Callable[[Write], None]) -> bool:
        """Claims the rows of `namespaces` and sends each in its own transaction; a refusal fails
        that row with its reason (and the entry that holds its reference, if that is why)."""
        claimed = [
            write
            for namespace in namespaces
            for write in queue.claim(self.engine, namespace, self.options.claim_debits, self.options.lease)
        ]
        for write in claimed:
            try:
                send(write)
            except (ReferenceConflict, ContractRevert, InputError) as exc:
                seq = exc.seq if isinstance(exc, ReferenceConflict) else None
                queue.mark(self.engine, [write.id], status="failed", failure=str(exc), conflict_seq=seq)
        return bool(claimed)

    def _debit(self, write: Write) -> None:
        if write.kind == "payout":
            done = single.record_payout(self.writer, write.player, write.amount, write.ref)
        else:
            assert write.reason is not None
            done = single.expire_balance(self.writer, write.player, write.amount, write.ref, write.reason)
        block = done.block_number
        if block is None:  # recorded before: at the latest in the current block
            block = int(self.writer.client.w3.eth.block_number)
        queue.mark_landed(self.engine, [(write.id, done.seq, block)])

    def _campaign(self, write: Write) -> None:
        block = send_campaign(self.writer, write)
        queue.mark(self.engine, [write.id], status="mined", block_number=block)

    def _reversal(self, write: Write) -> None:
        done = send_reversal(self.writer, write)
        queue.mark(self.engine, [write.id], player=hex32(done.player))
        queue.mark_landed(self.engine, [(write.id, done.seq, done.block)])

    def finalized_block(self) -> int:
        w3 = self.writer.client.w3
        try:
            return int(w3.eth.get_block("finalized")["number"])
        except (Web3Exception, ValueError, KeyError):  # a node without the tag: depth instead
            return int(w3.eth.block_number) - self.options.confirmations

    def promote(self) -> bool:
        """Mined rows in finalised blocks become `final` once the chain still shows them there."""
        candidates = queue.mined_upto(self.engine, self.finalized_block())
        rewards = [w for w in candidates if w.kind == "reward"]
        if rewards:
            found, _ = self.writer.find_rewards([w.ref for w in rewards])
            gone = [w.id for w in rewards if w.ref not in found or found[w.ref].seq != w.seq]
            queue.mark(self.engine, gone, status="accepted", seq=None, block_number=None)
        else:
            gone = []
        final = [w.id for w in candidates if w.id not in set(gone)]
        queue.mark(self.engine, final, status="final")
        return bool(candidates)
