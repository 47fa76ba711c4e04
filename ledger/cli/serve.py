"""`ledger serve`: the read-only player and auditor API over the mirror."""

from __future__ import annotations

import socket
from typing import Annotated

import typer

from ledger.cli.common import clean_errors, out, settings
from ledger.errors import InputError


def _check_port(host: str, port: int) -> None:
    """Fails with one clear line if the address is taken, before uvicorn starts workers."""
    try:
        with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            probe.bind((host, port))
    except OSError as exc:
        raise InputError(f"cannot listen on {host}:{port}: {exc.strerror}") from exc


@clean_errors
def serve(
    host: Annotated[str, typer.Option(help="address to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="port to listen on", min=1, max=65535)] = 8000,
    workers: Annotated[
        int, typer.Option(help="worker processes (metrics are per process)", min=1, max=64)
    ] = 1,
    access_log: Annotated[bool, typer.Option(help="log every request")] = False,
) -> None:
    """Serve the player and auditor API (read-only) over the SQL mirror; OpenAPI docs at /docs."""
    import uvicorn  # imported here: the other commands do not need the web stack

    from api.main import create_app

    cfg = settings()
    app = create_app(cfg)  # a bad setting is one error line here, not a traceback in each worker
    _check_port(host, port)
    token = "on" if cfg.api_token else "off (set LEDGER_API_TOKEN to require one)"
    out.print(f"serving the ledger API on http://{host}:{port} (docs at /docs); audit token {token}")
    options = {
        "host": host,
        "port": port,
        "access_log": access_log,
        "log_level": "info",
        "proxy_headers": False,
    }
    if workers == 1:
        uvicorn.run(app, **options)  # type: ignore[arg-type]
    else:
        # Each worker builds its own app from the same environment (the one above only checked it).
        uvicorn.run("api.main:create_app", factory=True, workers=workers, **options)  # type: ignore[arg-type]
