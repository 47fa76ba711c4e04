"""The mirror's tables.

Byte values (keys, ids, hashes, references) are lowercase 0x-hex text, so auditors can write
`WHERE player = '0x…'` in plain SQL. Amounts are exact uint256 (see `types.U256`). One database
mirrors one ledger contract on one chain (the cursor row records which).
"""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from ledger.db.types import U256

HEX32 = 66  # "0x" + 64 hex digits
ADDRESS = 42


def _u256() -> Column[int]:
    return Column(U256(), nullable=False, default=0)


class Event(SQLModel, table=True):
    """One row per ledger event log, decoded; inserts are idempotent on its location."""

    __tablename__ = "events"
    __table_args__ = (UniqueConstraint("chain_id", "tx_hash", "log_index", name="uq_events_location"),)

    id: int | None = Field(default=None, primary_key=True)
    chain_id: int = Field(sa_column=Column(BigInteger, nullable=False))
    contract: str = Field(max_length=ADDRESS)
    block_number: int = Field(sa_column=Column(BigInteger, nullable=False, index=True))
    block_hash: str = Field(max_length=HEX32)
    tx_hash: str = Field(max_length=HEX32)
    log_index: int
    name: str = Field(max_length=32, index=True)
    seq: int | None = Field(default=None, sa_column=Column(BigInteger, nullable=True))
    entries: int = 0
    data: str = Field(sa_column=Column(Text, nullable=False))  # decoded fields as JSON


# SQLite only (migration 0002): every column a player's history page reads, led by (player, seq),
# so the page is one range of one index. On a million-entry mirror the page's ten random row
# lookups were most of its cost. PostgreSQL does without it: there the API worker, not the
# server, limits the page, and the index measured no faster for a second copy of every entry.
# Metadata cannot say "on one dialect", so Alembic's comparison is told to skip it.
SQLITE_HISTORY_INDEX = "ix_entries_player_history"
SQLITE_HISTORY_COLUMNS = (
    "player", "seq", "kind", "campaign_id", "amount", "ref", "aux", "reward_seq", "batch_id", "batch_index",
    "head", "block_number", "block_hash", "block_time", "tx_hash", "log_index", "sender",
)  # fmt: skip


def include_object(obj: object, name: str | None, type_: str, reflected: bool, compare_to: object) -> bool:
    """Alembic's `include_object` hook: everything but the SQLite-only index."""
    return not (type_ == "index" and name == SQLITE_HISTORY_INDEX)


class Entry(SQLModel, table=True):
    """One ledger entry (a batch event yields one per row), with where the chain recorded it."""

    __tablename__ = "entries"
    __table_args__ = (
        Index("ix_entries_player_seq", "player", "seq"),
        Index("ix_entries_campaign_seq", "campaign_id", "seq"),
        Index("ix_entries_kind_seq", "kind", "seq"),
    )

    seq: int = Field(sa_column=Column(BigInteger, primary_key=True, autoincrement=False))
    kind: str = Field(max_length=8)  # issued | paid | reversed | expired
    campaign_id: str | None = Field(default=None, max_length=HEX32)
    player: str = Field(max_length=HEX32)
    amount: int = Field(sa_column=_u256())
    ref: str = Field(max_length=HEX32)
    aux: str = Field(max_length=HEX32)
    reward_seq: int | None = Field(default=None, sa_column=Column(BigInteger, nullable=True, index=True))
    batch_id: str | None = Field(default=None, max_length=HEX32)
    batch_index: int | None = None
    head: str = Field(max_length=HEX32)  # hash-chain head after this entry
    block_number: int = Field(sa_column=Column(BigInteger, nullable=False, index=True))
    block_hash: str = Field(max_length=HEX32)
    block_time: int = Field(sa_column=Column(BigInteger, nullable=False, index=True))
    tx_hash: str = Field(max_length=HEX32, index=True)
    log_index: int
    sender: str = Field(max_length=ADDRESS, index=True)
    event_id: int = Field(
        sa_column=Column(Integer, ForeignKey("events.id", ondelete="CASCADE"), nullable=False)
    )


class Player(SQLModel, table=True):
    """A player's totals as the mirror derives them from its entries."""

    __tablename__ = "players"

    player: str = Field(primary_key=True, max_length=HEX32)
    balance: int = Field(sa_column=_u256())
    earned: int = Field(sa_column=_u256())
    paid: int = Field(sa_column=_u256())
    reversed: int = Field(sa_column=_u256())
    expired: int = Field(sa_column=_u256())
    entries: int = 0
    first_seq: int = Field(sa_column=Column(BigInteger, nullable=False))
    last_seq: int = Field(sa_column=Column(BigInteger, nullable=False))
    last_block: int = Field(sa_column=Column(BigInteger, nullable=False))


class Campaign(SQLModel, table=True):
    __tablename__ = "campaigns"

    campaign_id: str = Field(primary_key=True, max_length=HEX32)
    budget: int = Field(sa_column=_u256())
    issued: int = Field(sa_column=_u256())
    reversed: int = Field(sa_column=_u256())
    start_time: int = Field(sa_column=Column(BigInteger, nullable=False))
    end_time: int = Field(sa_column=Column(BigInteger, nullable=False))
    closed: bool = False
    terms_hash: str = Field(max_length=HEX32)
    created_block: int = Field(sa_column=Column(BigInteger, nullable=False))
    created_tx: str = Field(max_length=HEX32)
    closed_block: int | None = Field(default=None, sa_column=Column(BigInteger, nullable=True))


class Payout(SQLModel, table=True):
    __tablename__ = "payouts"

    seq: int = Field(
        sa_column=Column(BigInteger, ForeignKey("entries.seq", ondelete="CASCADE"), primary_key=True)
    )
    player: str = Field(max_length=HEX32, index=True)
    amount: int = Field(sa_column=_u256())
    ref: str = Field(max_length=HEX32)
    block_number: int = Field(sa_column=Column(BigInteger, nullable=False))


class Reversal(SQLModel, table=True):
    __tablename__ = "reversals"

    seq: int = Field(
        sa_column=Column(BigInteger, ForeignKey("entries.seq", ondelete="CASCADE"), primary_key=True)
    )
    reward_seq: int = Field(sa_column=Column(BigInteger, nullable=False, index=True))
    player: str = Field(max_length=HEX32, index=True)
    campaign_id: str = Field(max_length=HEX32)
    amount: int = Field(sa_column=_u256())
    reason: str = Field(max_length=HEX32)
    block_number: int = Field(sa_column=Column(BigInteger, nullable=False))


class Expiry(SQLModel, table=True):
    __tablename__ = "expiries"

    seq: int = Field(
        sa_column=Column(BigInteger, ForeignKey("entries.seq", ondelete="CASCADE"), primary_key=True)
    )
    player: str = Field(max_length=HEX32, index=True)
    amount: int = Field(sa_column=_u256())
    ref: str = Field(max_length=HEX32)
    reason: str = Field(max_length=HEX32)
    block_number: int = Field(sa_column=Column(BigInteger, nullable=False))


class Totals(SQLModel, table=True):
    """Global figures of the mirror (one row): what the contract's `totals()` and `chainState()` say."""

    __tablename__ = "totals"

    id: int = Field(default=1, primary_key=True)
    entry_count: int = Field(sa_column=Column(BigInteger, nullable=False, default=0))
    head: str = Field(default="0x" + "00" * 32, max_length=HEX32)
    issued: int = Field(sa_column=_u256())
    paid: int = Field(sa_column=_u256())
    reversed: int = Field(sa_column=_u256())
    expired: int = Field(sa_column=_u256())


class Block(SQLModel, table=True):
    """Blocks the indexer has read: hashes for reorg detection, times for the entries."""

    __tablename__ = "blocks"

    number: int = Field(sa_column=Column(BigInteger, primary_key=True, autoincrement=False))
    hash: str = Field(max_length=HEX32)
    parent_hash: str = Field(max_length=HEX32)
    timestamp: int = Field(sa_column=Column(BigInteger, nullable=False))


class Cursor(SQLModel, table=True):
    """Where the mirror stands (one row); committed with the rows of each block range."""

    __tablename__ = "indexer_cursor"

    id: int = Field(default=1, primary_key=True)
    chain_id: int = Field(sa_column=Column(BigInteger, nullable=False))
    contract: str = Field(max_length=ADDRESS)
    start_block: int = Field(sa_column=Column(BigInteger, nullable=False))
    last_block: int = Field(sa_column=Column(BigInteger, nullable=False))
    last_block_hash: str = Field(max_length=HEX32)
    finalized_block: int = Field(sa_column=Column(BigInteger, nullable=False, default=0))


class IndexerStatus(SQLModel, table=True):
    """What the indexer last reported (one row), served by the API's status route."""

    __tablename__ = "indexer_status"

    id: int = Field(default=1, primary_key=True)
    indexer_block: int = Field(sa_column=Column(BigInteger, nullable=False, default=0))
    chain_block: int = Field(sa_column=Column(BigInteger, nullable=False, default=0))
    lag_blocks: int = Field(sa_column=Column(BigInteger, nullable=False, default=0))
    lag_seconds: float = 0.0
    rows_written: int = Field(sa_column=Column(BigInteger, nullable=False, default=0))
    reorgs: int = 0
    last_error: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    updated_at: float = 0.0


class DecodeFailure(SQLModel, table=True):
    """A log that did not decode against the ABI; the indexer stops at the first one."""

    __tablename__ = "decode_errors"

    id: int | None = Field(default=None, primary_key=True)
    chain_id: int = Field(sa_column=Column(BigInteger, nullable=False))
    block_number: int = Field(sa_column=Column(BigInteger, nullable=False))
    block_hash: str = Field(max_length=HEX32)
    tx_hash: str = Field(max_length=HEX32)
    log_index: int
    topic0: str | None = Field(default=None, max_length=HEX32)
    message: str = Field(sa_column=Column(Text, nullable=False))
    created_at: float = 0.0


__all__ = [
    "Block", "Campaign", "Cursor", "DecodeFailure", "Entry", "Event", "Expiry", "IndexerStatus", "Payout",
    "Player", "Reversal", "String", "Totals",
]  # fmt: skip

# The operator API's tables (migration 0003) live on the same metadata, so Alembic sees them.
import ledger.operator.tables  # noqa: E402, F401
