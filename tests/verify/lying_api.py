"""An API that answers exactly what a case says, over HTTP: `/{case}/v1/players/{player}/...`.

It pages the history like the real API (`limit`, `cursor`) and serves proofs only for the blocks
the case holds (404 otherwise, as the real API does for a block its node lacks).
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse


def _missing(what: str) -> JSONResponse:
    return JSONResponse({"error": "not_found", "message": f"{what} is not here"}, status_code=404)


def lying_api(cases: dict[str, dict[str, Any]]) -> FastAPI:
    app = FastAPI()

    def answers(case: str, player: str) -> dict[str, Any] | None:
        found = cases.get(case)
        return found["answers"] if found and found["player"] == player.lower() else None

    @app.get("/{case}/v1/players/{player}/balance")
    def balance(case: str, player: str) -> Any:
        a = answers(case, player)
        return a["balance"] if a else _missing(f"player {player}")

    @app.get("/{case}/v1/players/{player}/history")
    def history(case: str, player: str, request: Request) -> Any:
        a = answers(case, player)
        if a is None:
            return _missing(f"player {player}")
        start = int(request.query_params.get("cursor", "0"))
        limit = int(request.query_params.get("limit", "50"))
        page = a["entries"][start : start + limit]
        more = start + limit < len(a["entries"])
        return {"player": player, "order": "asc", "entries": page, "next_cursor": str(start + limit) if more else None,
                "as_of_block": a["balance"]["as_of_block"]}  # fmt: skip

    @app.get("/{case}/v1/players/{player}/proof")
    def proof(case: str, player: str, block: int) -> Any:
        a = answers(case, player)
        found = a["proofs"].get(str(block)) if a else None
        return found if found is not None else _missing(f"a proof at block {block}")

    return app
