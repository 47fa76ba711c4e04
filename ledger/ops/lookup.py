"""Finding what the chain recorded: the issuance behind a reward, for reversals."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from ledger.chain.client import TRANSPORT_ERRORS, LedgerClient
from ledger.errors import InputError, NodeError
from ledger.events import decode_log, event_topic


@dataclass(frozen=True)
class RewardProof:
    """The contract's `RewardProof`: the issuance that created a reward, and the reward's row."""

    id: bytes
    campaign_id: bytes
    first_seq: int
    records: bytes
    index: int
    player: bytes
    amount: int

    @property
    def seq(self) -> int:
        return self.first_seq + self.index


def scan_logs(
    client: LedgerClient, topics: list[bytes], from_block: int, to_block: int, step: int = 50_000
) -> Iterator[dict[str, Any]]:
    """Raw logs of the ledger with any of `topics`, oldest first, over block ranges."""
    start = from_block
    while start <= to_block:
        end = min(start + step - 1, to_block)
        try:
            logs = client.w3.eth.get_logs(
                {
                    "address": client.address,
                    "fromBlock": start,
                    "toBlock": end,
                    "topics": [["0x" + t.hex() for t in topics]],
                }
            )
        except TRANSPORT_ERRORS as exc:
            raise NodeError(f"the node stopped answering: {type(exc).__name__}") from exc
        for log in logs:
            yield _raw(log)
        start = end + 1


def find_reward(client: LedgerClient, seq: int, from_block: int = 0) -> RewardProof:
    """The proof of reward `seq`, found in the chain's issuance events."""
    count, _ = client.chain_state()
    if not 1 <= seq <= count:
        raise InputError(f"entry {seq} does not exist (the ledger has {count} entries)")
    latest = int(client.w3.eth.block_number)
    topics = [event_topic("RewardIssued"), event_topic("BatchIssued")]
    for raw in scan_logs(client, topics, from_block, latest):
        event = decode_log(raw)
        a = event.args
        if event.name == "RewardIssued" and a["seq"] == seq:
            records = a["player"] + a["amount"].to_bytes(32, "big")
            return RewardProof(a["ref"], a["campaignId"], seq, records, 0, a["player"], a["amount"])
        if event.name == "BatchIssued":
            rows = len(a["records"]) // 64
            if a["firstSeq"] <= seq < a["firstSeq"] + rows:
                index = seq - a["firstSeq"]
                row = a["records"][index * 64 : index * 64 + 64]
                amount = int.from_bytes(row[52:], "big")
                return RewardProof(
                    a["batchId"], a["campaignId"], a["firstSeq"], a["records"], index, row[:32], amount
                )
    raise InputError(f"entry {seq} is not an issued reward (a payout, reversal or expiry cannot be reversed)")


def find_player_reward(
    client: LedgerClient, player: bytes, campaign_id: bytes, from_block: int = 0
) -> RewardProof:
    """The proof of the first reward `player` received from `campaign_id`."""
    topics = [event_topic("RewardIssued"), event_topic("BatchIssued")]
    for raw in scan_logs(client, topics, from_block, int(client.w3.eth.block_number)):
        a = decode_log(raw).args
        if a["campaignId"] != campaign_id:
            continue
        if a.get("player") == player:
            records = player + a["amount"].to_bytes(32, "big")
            return RewardProof(a["ref"], campaign_id, a["seq"], records, 0, player, a["amount"])
        records = a.get("records", b"")
        for index in range(len(records) // 64):
            if records[index * 64 : index * 64 + 32] == player:
                amount = int.from_bytes(records[index * 64 + 52 : index * 64 + 64], "big")
                return RewardProof(a["batchId"], campaign_id, a["firstSeq"], records, index, player, amount)
    raise InputError(f"player 0x{player.hex()} has no reward from this campaign")


def _raw(log: Any) -> dict[str, Any]:
    """A web3-formatted log back in JSON-RPC's hex shape, which `decode_log` reads."""

    def hx(value: Any) -> str:
        return value if isinstance(value, str) else "0x" + bytes(value).hex()

    return {
        "address": log["address"],
        "topics": [hx(t) for t in log["topics"]],
        "data": hx(log["data"]),
        "blockNumber": hex(log["blockNumber"]),
        "blockHash": hx(log["blockHash"]),
        "transactionHash": hx(log["transactionHash"]),
        "logIndex": hex(log["logIndex"]),
        "removed": log.get("removed", False),
    }
