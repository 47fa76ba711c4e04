"""The operator API's tables, in the mirror's database (migration 0003).

`operator_tokens` holds each access token's SHA-256, never the token. `operator_writes` is the
outbox: one row per accepted write (a reward row, a payout, an expiry), unique on its reference
within its namespace, stored in the same transaction that checked that reference; the sender
moves each row accepted → sent → mined → final, or failed with a reason.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, Float, Index, Integer, String, Table, Text, UniqueConstraint
from sqlmodel import SQLModel

from ledger.db.types import U256

HEX32 = 66

tokens = Table(
    "operator_tokens",
    SQLModel.metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("name", String(64), nullable=False),
    Column("scope", String(16), nullable=False),
    Column("token_hash", String(HEX32), nullable=False, unique=True),
    Column("created_at", BigInteger, nullable=False),
    Column("revoked_at", BigInteger, nullable=True),
)

writes = Table(
    "operator_writes",
    SQLModel.metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    # "reward" (single issues and batch rows share one namespace on chain), "debit" (payouts
    # and expiries, whose references the contract keeps in `referenceOf`), "reversal" (by the
    # reward's seq), "campaign" and "close" (by the campaign id)
    Column("namespace", String(8), nullable=False),
    Column("ref", String(HEX32), nullable=False),  # the 32-byte reference word, 0x-hex
    Column("kind", String(8), nullable=False),  # reward | payout | expiry | reversal | campaign | close
    Column("campaign_id", String(HEX32), nullable=True),
    Column("player", String(HEX32), nullable=False),
    Column("amount", U256(), nullable=False),
    Column("reason", String(HEX32), nullable=True),
    Column("terms_hash", String(HEX32), nullable=True),  # a campaign's
    Column("starts_at", BigInteger, nullable=True),  # a campaign's window, unix seconds
    Column("ends_at", BigInteger, nullable=True),
    Column("status", String(8), nullable=False),  # accepted | sent | mined | final | failed
    Column("failure", Text, nullable=True),
    Column("conflict_seq", BigInteger, nullable=True),
    Column("request_id", String(32), nullable=False),
    Column("token_id", Integer, nullable=True),
    Column("batch_id", String(HEX32), nullable=True),
    Column("seq", BigInteger, nullable=True),
    Column("block_number", BigInteger, nullable=True),
    Column("lease_until", BigInteger, nullable=True),
    Column("accepted_at", BigInteger, nullable=False),
    Column("updated_at", BigInteger, nullable=False),
    Column("notified_at", BigInteger, nullable=True),  # when its webhook deliveries were queued
    UniqueConstraint("namespace", "ref", name="uq_operator_writes_ref"),
    Index("ix_operator_writes_status_id", "status", "id"),
)

webhooks = Table(
    "operator_webhooks",
    SQLModel.metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("url", String(2048), nullable=False),
    Column("secret", String(128), nullable=False),  # the HMAC key: the server signs with it
    Column("created_at", BigInteger, nullable=False),
    Column("removed_at", BigInteger, nullable=True),
)

deliveries = Table(
    "operator_deliveries",
    SQLModel.metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),  # the order deliveries go out in
    Column("delivery_id", String(32), nullable=False, unique=True),  # what a receiver deduplicates on
    Column("webhook_id", Integer, nullable=False),
    Column("write_id", Integer, nullable=False),
    Column("event", String(16), nullable=False),  # write.final | write.failed
    Column("body", Text, nullable=False),
    Column("status", String(10), nullable=False),  # pending | delivered | abandoned
    Column("attempts", Integer, nullable=False),
    Column("next_attempt_at", Float, nullable=False),
    Column("last_error", Text, nullable=True),
    Column("created_at", BigInteger, nullable=False),
    Column("delivered_at", BigInteger, nullable=True),
    UniqueConstraint("webhook_id", "write_id", "event", name="uq_operator_deliveries_event"),
    Index("ix_operator_deliveries_webhook_status_id", "webhook_id", "status", "id"),
)
