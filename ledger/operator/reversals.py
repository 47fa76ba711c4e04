"""Sending a reversal from the outbox once: a reward is reversed at most once on chain.

Under the write lock, `reversalOf(rewardSeq)` says whether the reward was reversed already (by
an earlier, interrupted run of this very write, or by anyone): the reversal's event is found and
compared (amount and reason), the same content counting as landed, other content as a conflict
naming the entry. Otherwise the reward is proven from its issuance (as `ledger reverse` does)
and reversed.
"""

from __future__ import annotations

from dataclasses import dataclass

from ledger.errors import ReferenceConflict
from ledger.events import decode_log, event_topic
from ledger.operator.outbox import Write
from ledger.ops.entries import reverse_reward
from ledger.ops.lookup import find_reward, scan_logs
from ledger.ops.writer import Writer


@dataclass(frozen=True)
class Reversed:
    seq: int
    block: int
    player: bytes


def send_reversal(writer: Writer, write: Write) -> Reversed:
    reward_seq = int.from_bytes(write.ref, "big")
    assert write.reason is not None
    with writer.writing(f"reverse {reward_seq}") as sender:
        client = writer.client
        if client.reversal_of(reward_seq):
            return _landed(writer, reward_seq, write)
        proof = find_reward(client, reward_seq, writer.deploy_block)
        result = reverse_reward(client, sender, proof, write.amount, write.reason)
        return Reversed(result.seq, result.block_number, proof.player)


def _landed(writer: Writer, reward_seq: int, write: Write) -> Reversed:
    client = writer.client
    head = int(client.w3.eth.block_number)
    for raw in scan_logs(client, [event_topic("RewardReversed")], writer.deploy_block, head):
        event = decode_log(raw)
        a = event.args
        if a["rewardSeq"] != reward_seq:
            continue
        if (a["amount"], a["reason"]) == (write.amount, write.reason):
            return Reversed(a["seq"], event.location.block_number, a["player"])
        raise ReferenceConflict(
            f"reward {reward_seq} was already reversed by entry {a['seq']} with other content "
            f"(amount {a['amount']})",
            seq=a["seq"],
        )
    raise ReferenceConflict(f"reward {reward_seq} is reversed, but its reversal was not found in the logs")
