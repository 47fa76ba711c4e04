"""Errors as HTTP answers, in one place: every failure is JSON `{error, message}`, never a 500 page.

Ledger errors keep their meaning across the HTTP boundary: a user's bad value is 400, something
unknown is 404, a missing or wrong audit token is 401, a node or mirror that cannot answer is 503.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.exceptions import HTTPException as StarletteHTTPException

from api.formats import HINTS
from api.models import ErrorPublic
from ledger.errors import (
    ConfigError,
    Conflict,
    DatabaseError,
    Forbidden,
    InputError,
    LedgerError,
    NodeError,
    NotFound,
    NotReady,
    Unauthorized,
)

log = logging.getLogger("ledger.api")
MAX_MESSAGE = 300
_URL = re.compile(r"\b[a-z][a-z0-9+.-]*://\S+", re.IGNORECASE)


# Most specific first: the first class in an error's MRO found here decides.
STATUS: dict[type[LedgerError], tuple[int, str]] = {
    NotFound: (404, "not_found"),
    Conflict: (409, "conflict"),
    Unauthorized: (401, "unauthorized"),
    Forbidden: (403, "forbidden"),
    NotReady: (503, "not_ready"),
    InputError: (400, "bad_request"),
    NodeError: (503, "node_unavailable"),
    ConfigError: (503, "not_configured"),
    DatabaseError: (503, "database_unavailable"),
    LedgerError: (500, "ledger_error"),
}

# Documented on every route, so clients and schema checkers know each answer's shape.
ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    code: {"model": ErrorPublic, "description": text}
    for code, text in [
        (400, "a malformed value (player key, campaign id, cursor, range)"),
        (404, "not in the mirror"),
        (422, "a parameter out of its documented range"),
        (503, "the mirror or the node cannot answer now"),
    ]
}


def one_line(text: str) -> str:
    """`text` as one line of at most `MAX_MESSAGE` characters: a message may quote what a client
    sent, which can hold line breaks (U+2028 too) or run to thousands of characters."""
    text = " ".join(text.splitlines())
    return text if len(text) <= MAX_MESSAGE else text[: MAX_MESSAGE - 1] + "…"


def error_response(
    status: int,
    code: str,
    message: str,
    details: list[str] | None = None,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    lines = [one_line(d) for d in details] if details is not None else None
    body = ErrorPublic(error=code, message=one_line(message), details=lines).model_dump(exclude_none=True)
    return JSONResponse(body, status_code=status, headers=headers)


def node_message(exc: NodeError, node_url: str | None) -> str:
    """A node failure without the node's address, which may carry an access key in its path."""
    text = str(exc)
    if node_url:
        text = text.replace(f"the node at {node_url}", "the API's node").replace(node_url, "the API's node")
    return _URL.sub("the API's node", text)


def status_of(exc: LedgerError) -> tuple[int, str]:
    for cls in type(exc).__mro__:
        if cls in STATUS:
            return STATUS[cls]
    return 500, "ledger_error"


async def _ledger_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, LedgerError)
    status, code = status_of(exc)
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else {}
    message = str(exc)
    if isinstance(exc, NodeError):  # logged as answered: the address stays out of the logs too
        message = node_message(exc, getattr(request.app.state.context, "rpc_url", None))
        log.warning("node error: %s", message)
    return error_response(status, code, message, headers=headers)


async def _validation_error(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    details = [_describe(e) for e in exc.errors()]
    return error_response(422, "invalid_parameter", details[0] if details else "invalid request", details)


def _describe(error: Any) -> str:
    loc = [str(p) for p in error.get("loc", ())]
    place = {"query": "query parameter", "path": "path parameter", "header": "header"}.get(
        loc[0] if loc else ""
    )
    name = ".".join(p for p in loc[1:] if place) if place else ".".join(loc)
    message = str(error.get("msg", "is invalid"))
    if (
        error.get("type") in ("string_pattern_mismatch", "string_too_short", "string_too_long")
        and name in HINTS
    ):
        message = HINTS[name]
    return f"{place or 'parameter'} {name or '?'}: {message}"


async def _http_error(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    code = {404: "not_found", 405: "method_not_allowed", 429: "rate_limited"}.get(
        exc.status_code, "http_error"
    )
    headers = dict(exc.headers or {})
    return error_response(exc.status_code, code, str(exc.detail), headers=headers)


async def _database_error(_: Request, exc: Exception) -> JSONResponse:
    log.error("mirror database error: %s", exc)
    return error_response(503, "database_unavailable", "the mirror database cannot answer now")


async def _unexpected(_: Request, exc: Exception) -> JSONResponse:
    log.exception("unexpected error", exc_info=exc)
    return error_response(500, "internal_error", "the server failed unexpectedly; the error is logged")


def install(app: FastAPI) -> None:
    app.add_exception_handler(LedgerError, _ledger_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    for db_error in (OperationalError, InterfaceError, PoolTimeout):
        app.add_exception_handler(db_error, _database_error)
    app.add_exception_handler(Exception, _unexpected)
