"""What landed under a reward reference: the mirror up to its cursor, then the chain's logs.

A reward's reference is unique across the whole ledger, single issues and batch rows alike,
compared as the 32-byte word the hash chain folds (text right-padded with zeros, so a 20-byte
row reference equals the same text given as a single issue's reference). The look-up reads the
mirror (table `entries`, column `ref`) up to the block of its cursor, then the chain's
issuance logs from the next block to the head. Without a usable mirror (none, another ledger's,
or one whose last block the chain no longer has) it reads the chain's logs from the deployment
block, and says why.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine, select
from sqlalchemy.exc import SQLAlchemyError

from ledger.chain.client import LedgerClient
from ledger.db import tables as t
from ledger.db.engine import make_engine, parse_url
from ledger.encoding import hex32, row_ref_word
from ledger.events import decode_log, entries_of, event_topic
from ledger.ops.lookup import scan_logs

SQL_CHUNK = 5_000  # references per SQL query: well under every driver's parameter limit


@dataclass(frozen=True)
class LandedReward:
    """A reward the ledger recorded under a reference."""

    ref: bytes  # the 32-byte word
    seq: int
    campaign_id: bytes
    player: bytes
    amount: int
    batch_id: bytes | None
    block: int

    def same_content(self, campaign_id: bytes, player: bytes, amount: int) -> bool:
        return (self.campaign_id, self.player, self.amount) == (campaign_id, player, amount)


@dataclass(frozen=True)
class Coverage:
    """Where a look-up read: the mirror up to a block (if at all), then the chain's logs."""

    mirror_block: int | None
    chain_from: int
    head: int
    note: str = ""

    def describe(self) -> str:
        chain = f"the chain's logs of blocks {self.chain_from}-{self.head}"
        if self.mirror_block is None:
            return f"looked up in {chain} ({self.note})"
        behind = self.head - self.mirror_block
        mirror = (
            f"looked up in the mirror up to block {self.mirror_block} ({behind} block(s) behind the head)"
        )
        return mirror if self.chain_from > self.head else f"{mirror} and in {chain}"


def reward_word(ref: bytes) -> bytes:
    """A reward reference as the ledger compares it: one 32-byte word."""
    return row_ref_word(ref)


def mirror_engine(url: str | None) -> Engine | None:
    """An engine on the mirror at `url`, or None when there is none (a SQLite file never created)."""
    if not url:
        return None
    parsed = parse_url(url)
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database
        if not database or database == ":memory:" or not Path(database).exists():
            return None
    return make_engine(url)


def find_rewards(
    client: LedgerClient, refs: Iterable[bytes], mirror: Engine | None, deploy_block: int
) -> tuple[dict[bytes, LandedReward], Coverage]:
    """Every reward recorded under one of `refs` (32-byte words), and where the look-up read."""
    words = set(refs)
    head = int(client.w3.eth.block_number)
    found: dict[bytes, LandedReward] = {}
    upto, note = _usable_mirror(client, mirror)
    if upto is not None and mirror is not None:
        upto = min(upto, head)
        found.update(_from_mirror(mirror, words, upto))
        coverage = Coverage(upto, upto + 1, head)
    else:
        coverage = Coverage(None, deploy_block, head, note)
    if words:
        for reward in _from_logs(client, words, coverage.chain_from, head):
            found.setdefault(reward.ref, reward)
    return found, coverage


def _usable_mirror(client: LedgerClient, mirror: Engine | None) -> tuple[int | None, str]:
    """The mirror's cursor block if the mirror is this ledger's and on the chain; else why not."""
    if mirror is None:
        return None, "there is no mirror"
    try:
        with mirror.connect() as conn:
            row = conn.execute(select(t.cursor).where(t.cursor.c.id == 1)).first()
    except SQLAlchemyError:
        return None, "the mirror cannot be read (not indexed yet?)"
    if row is None:
        return None, "the mirror is empty"
    if int(row.chain_id) != client.chain_id or str(row.contract).lower() != client.address.lower():
        return None, f"the mirror belongs to ledger {row.contract} on chain {row.chain_id}"
    last = int(row.last_block)
    if last < 0:
        return None, "the mirror is empty"
    block = client.w3.eth.get_block(last)
    if "0x" + bytes(block["hash"]).hex() != str(row.last_block_hash).lower():
        return None, f"the mirror's block {last} is no longer on the chain (a reorganisation)"
    return last, ""


def _from_mirror(engine: Engine, words: set[bytes], upto: int) -> dict[bytes, LandedReward]:
    e = t.entries.c
    columns = (e.seq, e.campaign_id, e.player, e.amount, e.ref, e.batch_id, e.block_number)
    wanted = sorted(hex32(w) for w in words)
    found: dict[bytes, LandedReward] = {}
    with engine.connect() as conn:
        for start in range(0, len(wanted), SQL_CHUNK):
            query = select(*columns).where(
                e.kind == "issued", e.block_number <= upto, e.ref.in_(wanted[start : start + SQL_CHUNK])
            )
            for r in conn.execute(query):
                ref = bytes.fromhex(r.ref[2:])
                found.setdefault(ref, LandedReward(
                    ref, int(r.seq), _bytes(r.campaign_id), _bytes(r.player), int(r.amount),
                    _bytes(r.batch_id) if r.batch_id else None, int(r.block_number),
                ))  # fmt: skip
    return found


def _from_logs(client: LedgerClient, words: set[bytes], start: int, end: int) -> list[LandedReward]:
    topics = [event_topic("RewardIssued"), event_topic("BatchIssued")]
    out = []
    for raw in scan_logs(client, topics, start, end):
        event = decode_log(raw)
        batch = event.args.get("batchId")
        for item in entries_of(event):
            e = item.entry
            if e.ref in words:
                out.append(LandedReward(
                    e.ref, e.seq, e.campaign_id, e.player, e.amount, batch, event.location.block_number
                ))  # fmt: skip
    return out


def _bytes(value: str) -> bytes:
    return bytes.fromhex(value[2:])
