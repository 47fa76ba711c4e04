"""The operator API's state and access: scoped tokens, the writable outbox, the sender thread.

Tokens are looked up by their SHA-256 on every request, so a revoked token stops at once. No
token is a 401 (`WWW-Authenticate: Bearer`), a token without the route's scope a 403; an admin
token may do everything. The audit routes, when `LEDGER_API_TOKEN` guards them, also take an
auditor (or admin) token.
"""

from __future__ import annotations

import hmac
import logging
import math
import threading
from dataclasses import dataclass, field
from typing import Annotated

from fastapi import Depends, HTTPException, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError

from api.deps import Context
from ledger.config import Settings
from ledger.db.engine import make_engine
from ledger.errors import Forbidden, LedgerError, Unauthorized
from ledger.operator.limits import Buckets
from ledger.operator.runtime import OperatorSettings
from ledger.operator.tokens import Token, find_token
from ledger.ops.writer import Writer

log = logging.getLogger("ledger.operator")
_bearer = HTTPBearer(auto_error=False, description="an operator token (`ledger tokens create`)")
Credentials = Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]


@dataclass
class OperatorState:
    """The outbox's writable engine and, opened on first need, the ledger for look-ups."""

    settings: Settings
    engine: Engine
    buckets: Buckets
    _writer: Writer | None = field(default=None, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @classmethod
    def open(cls, settings: Settings) -> OperatorState:
        limits = settings if isinstance(settings, OperatorSettings) else OperatorSettings()
        buckets = Buckets(limits.operator_rate, limits.operator_burst)
        return cls(settings, make_engine(settings.effective_database_url), buckets)

    def lookup_writer(self) -> Writer:
        """A writer without a key: the CLI's look-up of what landed (mirror, then chain logs)."""
        from ledger.cli.context import deploy_block, open_ledger

        with self._lock:
            if self._writer is None:
                client = open_ledger(self.settings)
                self._writer = Writer(
                    client, None, self.settings.data_dir, deploy_block(self.settings, client),
                    self.settings.effective_database_url,
                )  # fmt: skip
            return self._writer

    def close(self) -> None:
        if self._writer is not None:
            self._writer.close()
        self.engine.dispose()


def operator_of(request: Request) -> OperatorState:
    state: OperatorState = request.app.state.operator
    return state


def _find(engine: Engine, secret: str) -> Token | None:
    try:
        return find_token(engine, secret)
    except SQLAlchemyError as exc:  # no tokens table yet: nobody holds a token
        log.warning("token look-up failed: %s", " ".join(str(exc).split())[:200])
        return None


async def token_of(request: Request, credentials: HTTPAuthorizationCredentials | None) -> Token:
    if credentials is None or not credentials.credentials:
        raise Unauthorized("this route needs an operator token: Authorization: Bearer <token>")
    token = await run_in_threadpool(_find, operator_of(request).engine, credentials.credentials)
    if token is None:
        raise Unauthorized("the token is unknown or revoked")
    wait = operator_of(request).buckets.take(token.id)
    if wait > 0:
        raise HTTPException(
            429, f"token {token.id} is over its rate limit: retry after the Retry-After seconds",
            headers={"Retry-After": str(max(1, math.ceil(wait)))},
        )  # fmt: skip
    return token


def scoped(*scopes: str) -> object:
    """A dependency that answers with the caller's token if it holds one of `scopes`."""

    async def dependency(request: Request, credentials: Credentials) -> Token:
        token = await token_of(request, credentials)
        if not any(token.allows(scope) for scope in scopes):
            raise Forbidden(f"a {token.scope} token cannot do this: it needs the {' or '.join(scopes)} scope")
        return token

    return Depends(dependency)


Issuer = Annotated[Token, scoped("issuer")]
Payer = Annotated[Token, scoped("payer")]
Reader = Annotated[Token, scoped("issuer", "payer", "auditor")]
Admin = Annotated[Token, scoped("admin")]
AuditReader = Annotated[Token, scoped("auditor")]


async def require_audit_access(request: Request, context: Context, credentials: Credentials) -> None:
    """The configured `LEDGER_API_TOKEN` (constant-time), or an auditor or admin token."""
    if context.api_token is None:
        return
    given = credentials.credentials if credentials else ""
    if hmac.compare_digest(given.encode(), context.api_token.encode()):
        return
    try:
        token = await token_of(request, credentials)
    except LedgerError:
        raise Unauthorized("this audit route needs LEDGER_API_TOKEN or an auditor token") from None
    if not token.allows("auditor"):
        raise Forbidden(f"a {token.scope} token cannot read the audit routes: it needs the auditor scope")
