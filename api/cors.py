"""Cross-origin reads of the player routes, for a program's own site (`LEDGER_CORS_ORIGINS`).

Off unless origins are configured. Only the player routes answer other origins: the audit routes
(behind a bearer token) and any route that writes stay same-origin, so a page elsewhere cannot
have a reader's browser call them. Starlette's CORS middleware speaks the protocol; this wraps it
so that it sees the player routes alone, and refuses a preflight in the API's JSON.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from starlette.datastructures import Headers
from starlette.middleware.cors import CORSMiddleware
from starlette.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send

from api.errors import error_response
from ledger.errors import ConfigError

PLAYER_PREFIX = "/v1/players/"
PREFLIGHT_MAX_AGE_S = 600
# What a browser sends as Origin: a scheme, a host and maybe a port; no path, no trailing slash.
_ORIGIN = re.compile(r"https?://[a-z0-9.-]+(:[0-9]{1,5})?|https?://\[[0-9a-f:.]+\](:[0-9]{1,5})?")


def parse_origins(value: str) -> tuple[str, ...]:
    """The origins of `LEDGER_CORS_ORIGINS` (comma-separated, `*` for any); `ConfigError` for one
    that a browser would never send, so that a typo cannot silently leave a site out."""
    origins = [part.strip().lower() for part in value.split(",") if part.strip()]
    for origin in origins:
        if origin != "*" and not _ORIGIN.fullmatch(origin):
            raise ConfigError(
                f"LEDGER_CORS_ORIGINS: {origin!r:.80} is not an origin: write scheme://host[:port], "
                "e.g. https://casino.example, with no path (or * for any origin)"
            )
    return ("*",) if "*" in origins else tuple(dict.fromkeys(origins))


class _JsonPreflight(CORSMiddleware):
    """Starlette's CORS, with a refused preflight answered as the API's JSON error."""

    def preflight_response(self, request_headers: Headers) -> Response:
        response = super().preflight_response(request_headers)
        if response.status_code < 400:
            return response
        refused = bytes(response.body).decode().removeprefix("Disallowed CORS ")
        headers = {
            k: v for k, v in response.headers.items() if k.lower().startswith(("access-control", "vary"))
        }
        return error_response(
            403, "cors_refused", f"cross-origin read refused: {refused} not allowed here", headers=headers
        )


class PlayerCors:
    """CORS for the player routes only; every other path passes straight through."""

    def __init__(self, app: ASGIApp, origins: Sequence[str]) -> None:
        self.app = app
        self.cors = _JsonPreflight(
            app, allow_origins=origins, allow_methods=("GET",), max_age=PREFLIGHT_MAX_AGE_S
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"].startswith(PLAYER_PREFIX):
            await self.cors(scope, receive, send)
        else:
            await self.app(scope, receive, send)
