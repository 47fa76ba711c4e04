"""Per-player salts: erasure on request.

A player key is HMAC-SHA256(salt, domain || customer id) under a random 32-byte salt of that
player's own, kept in the operator's private SQLite file (`DATA_DIR/keys/player-salts.db`, mode
0600), never on chain and never in the mirror. Forgetting a customer deletes their row: with the
salt gone, nobody (the operator included) can recompute the key from the customer id, while the
pseudonymous history on chain stays verifiable. The file overwrites deleted content
(`secure_delete`); backups and copies of the file are the operator's to expire.

Keys derived before salts (HMAC under the one global secret) are migrated by storing each listed
customer's key in its row; once every customer is migrated the operator deletes the global
secret, after which forgetting a migrated customer unlinks them as well.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
import sqlite3
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

from ledger.errors import ConfigError, InputError
from ledger.playerkey import derive_player_key

DOMAIN = b"rewards-ledger/player-key/v2-salted\x00"
SCHEMA = """
CREATE TABLE IF NOT EXISTS player_salts (
    customer_id TEXT PRIMARY KEY,
    salt BLOB,        -- 32 random bytes: the key is HMAC(salt, domain || id)
    legacy_key BLOB,  -- a key derived before salts, kept as it was (exactly one of the two is set)
    CHECK ((salt IS NULL) != (legacy_key IS NULL))
)
"""


def salts_path(data_dir: Path) -> Path:
    return data_dir / "keys" / "player-salts.db"


def _customer(customer_id: str) -> str:
    text = customer_id.strip()
    if not text or not text.isprintable() or len(text) > 256:
        raise InputError("the customer id must be printable text of 1 to 256 characters")
    return text


def salted_key(salt: bytes, customer_id: str) -> bytes:
    """HMAC-SHA256(salt, domain || customer id)."""
    return hmac.new(salt, DOMAIN + _customer(customer_id).encode("utf-8"), hashlib.sha256).digest()


@contextmanager
def open_salts(path: Path) -> Iterator[sqlite3.Connection]:
    """The salts file (created readable by its owner only), in one transaction."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))
    try:
        conn = sqlite3.connect(path, isolation_level=None)
    except sqlite3.Error as exc:
        raise ConfigError(f"cannot open the player salts at {path}: {exc}") from exc
    try:
        conn.execute("PRAGMA secure_delete = ON")
        conn.execute("PRAGMA journal_mode = TRUNCATE")
        conn.execute(SCHEMA)
        conn.execute("BEGIN IMMEDIATE")
        yield conn
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
    finally:
        conn.close()


def player_key(conn: sqlite3.Connection, customer_id: str, create: bool = True) -> bytes | None:
    """The customer's key: from their salt or migrated key; a new salt if they have none (and
    `create`), else None."""
    customer = _customer(customer_id)
    row = conn.execute(
        "SELECT salt, legacy_key FROM player_salts WHERE customer_id = ?", (customer,)
    ).fetchone()
    if row is not None:
        salt, legacy = row
        return bytes(legacy) if legacy is not None else salted_key(bytes(salt), customer)
    if not create:
        return None
    salt = secrets.token_bytes(32)
    conn.execute("INSERT INTO player_salts (customer_id, salt) VALUES (?, ?)", (customer, salt))
    return salted_key(salt, customer)


def forget(conn: sqlite3.Connection, customer_id: str) -> bool:
    """Deletes the customer's row; False if there was none."""
    cursor = conn.execute("DELETE FROM player_salts WHERE customer_id = ?", (_customer(customer_id),))
    return cursor.rowcount > 0


def migrate(conn: sqlite3.Connection, secret: bytes, customer_ids: Iterable[str]) -> int:
    """Stores the key each customer had under the global secret; returns how many rows were
    added (customers already in the file keep their row)."""
    added = 0
    for customer_id in customer_ids:
        customer = _customer(customer_id)
        key = derive_player_key(secret, customer)
        cursor = conn.execute(
            "INSERT OR IGNORE INTO player_salts (customer_id, legacy_key) VALUES (?, ?)", (customer, key)
        )
        added += cursor.rowcount
    return added
