"""Access tokens for the operator API: scopes, shown once, stored only as SHA-256 hashes.

A token is 32 random bytes (URL-safe base64) behind a short prefix; its SHA-256 is what the
database keeps, so a leaked table gives nobody a token. A revoked token stops working on the
next request: every request looks its hash up.
"""

from __future__ import annotations

import hashlib
import secrets
import time
from dataclasses import dataclass

from sqlalchemy import Engine, insert, select, update

from ledger.errors import InputError, NotFound
from ledger.operator import tables as t

SCOPES = ("issuer", "payer", "admin", "auditor")
PREFIX = "lop_"
MAX_NAME = 64


@dataclass(frozen=True)
class Token:
    id: int
    name: str
    scope: str
    created_at: int
    revoked_at: int | None

    def allows(self, scope: str) -> bool:
        """Whether this token may act as `scope`; admin may do everything."""
        return self.revoked_at is None and (self.scope == scope or self.scope == "admin")


def token_hash(token: str) -> str:
    return "0x" + hashlib.sha256(token.encode("utf-8")).hexdigest()


def check_scope(scope: str) -> str:
    if scope not in SCOPES:
        raise InputError(f"unknown scope {scope!r}: use one of {', '.join(SCOPES)}")
    return scope


def create_token(engine: Engine, scope: str, name: str | None = None) -> tuple[Token, str]:
    """A new token of `scope`: its record, and the token itself (the only time it is seen)."""
    check_scope(scope)
    name = (name or scope).strip()
    if not name or not name.isprintable() or len(name) > MAX_NAME:
        raise InputError(f"a token name is printable text of 1 to {MAX_NAME} characters")
    secret = PREFIX + secrets.token_urlsafe(32)
    now = int(time.time())
    with engine.begin() as conn:
        row = {"name": name, "scope": scope, "token_hash": token_hash(secret), "created_at": now}
        token_id = conn.execute(insert(t.tokens).values(**row).returning(t.tokens.c.id)).scalar_one()
    return Token(int(token_id), name, scope, now, None), secret


def list_tokens(engine: Engine) -> list[Token]:
    c = t.tokens.c
    with engine.connect() as conn:
        rows = conn.execute(select(c.id, c.name, c.scope, c.created_at, c.revoked_at).order_by(c.id))
        return [Token(int(r.id), r.name, r.scope, int(r.created_at), r.revoked_at) for r in rows]


def revoke_token(engine: Engine, token_id: int) -> Token:
    """Revokes a token by id, at once; revoking twice keeps the first time."""
    c = t.tokens.c
    with engine.begin() as conn:
        conn.execute(
            update(t.tokens)
            .where(c.id == token_id, c.revoked_at.is_(None))
            .values(revoked_at=int(time.time()))
        )
    found = [token for token in list_tokens(engine) if token.id == token_id]
    if not found:
        raise NotFound(f"there is no token {token_id} (`ledger tokens list` shows them)")
    return found[0]


def find_token(engine: Engine, secret: str) -> Token | None:
    """The live (unrevoked) token whose hash matches `secret`, or None."""
    c = t.tokens.c
    query = select(c.id, c.name, c.scope, c.created_at, c.revoked_at).where(
        c.token_hash == token_hash(secret), c.revoked_at.is_(None)
    )
    with engine.connect() as conn:
        row = conn.execute(query).first()
    return None if row is None else Token(int(row.id), row.name, row.scope, int(row.created_at), None)
