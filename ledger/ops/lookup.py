"""Finding what the chain recorded: the issuance behind a reward, for reversals."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from web3.exceptions import Web3RPCError

from ledger.chain.client import TRANSPORT_ERRORS, LedgerClient
from ledger.encoding import ROW_BYTES, unpack_rows
from ledger.errors import InputError, NodeError, RangeTooLarge
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
    client: LedgerClient,
    topics: list[bytes],
    from_block: int,
    to_block: int,
    step: int = 50_000,
    more_topics: list[bytes | None] | None = None,
) -> Iterator[dict[str, Any]]:
    """Raw logs of the ledger with any of `topics` (and `more_topics` in the next positions),
    oldest first, over block ranges that shrink when the node finds one too big."""
    filters: list[Any] = [["0x" + t.hex() for t in topics]]
    filters += [None if t is None else "0x" + t.hex() for t in more_topics or []]
    start = max(from_block, 0)
    while start <= to_block:
        end = min(start + step - 1, to_block)
        try:
            logs = client.w3.eth.get_logs(
                {"address": client.address, "fromBlock": start, "toBlock": end, "topics": filters}
            )
        except (RangeTooLarge, Web3RPCError) as exc:
            if step == 1:
                raise NodeError(f"the node refused eth_getLogs for block {start}: {exc}") from exc
            step = max(1, step // 4)  # nodes cap a getLogs answer's size or its block range
            continue
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
            index = seq - a["firstSeq"]
            if 0 <= index < len(a["records"]) // ROW_BYTES:
                row = unpack_rows(a["records"])[index]
                return RewardProof(
                    a["batchId"], a["campaignId"], a["firstSeq"], a["records"], index, row.player, row.amount
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
        for index, row in enumerate(unpack_rows(records)):
            if row.player == player:
                return RewardProof(
                    a["batchId"], campaign_id, a["firstSeq"], records, index, player, row.amount
                )
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
