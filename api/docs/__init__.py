"""The interactive API docs (`/docs`, Swagger UI), served whole from this process.

Swagger UI's files come from the pinned `swagger-ui-bundle-v2` package (Swagger UI 5, which reads
OpenAPI 3.1; Apache-2.0, its licence ships with the package), and the script that starts it is a
file here: the page loads nothing from any other host, works offline, and its
Content-Security-Policy allows scripts, styles and requests from this origin only.
"""

from __future__ import annotations

from html import escape
from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, HTMLResponse
from swagger_ui_bundle import swagger_ui_path

from ledger.errors import NotFound

HERE = Path(__file__).resolve().parent
SWAGGER = Path(str(swagger_ui_path))
# The files the page loads, by the name it asks for: nothing else under either folder is reachable.
ASSETS = {
    "swagger-ui-bundle.js": (SWAGGER / "swagger-ui-bundle.js", "text/javascript; charset=utf-8"),
    "swagger-ui.css": (SWAGGER / "swagger-ui.css", "text/css; charset=utf-8"),
    "favicon-32x32.png": (SWAGGER / "favicon-32x32.png", "image/png"),
    "swagger-init.js": (HERE / "swagger-init.js", "text/javascript; charset=utf-8"),
}  # fmt: skip
# Swagger UI draws its icons as data: images and sets styles through the DOM (which the policy
# allows); it fetches the OpenAPI document and, for "Try it out", the API itself.
CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
    "base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)
HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}
PAGE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<link rel="stylesheet" href="{base}/swagger-ui.css">
<link rel="icon" type="image/png" href="{base}/favicon-32x32.png">
</head>
<body>
<div id="swagger-ui" data-openapi="{openapi}"></div>
<script src="{base}/swagger-ui-bundle.js"></script>
<script src="{base}/swagger-init.js"></script>
</body>
</html>
"""


def docs_router(title: str, openapi_url: str, docs_url: str = "/docs") -> APIRouter:
    """`docs_url` (the page) and `docs_url/{asset}` (its files)."""
    router = APIRouter(include_in_schema=False)

    @router.get(docs_url)
    async def docs_page(request: Request) -> HTMLResponse:
        """Swagger UI over this API's OpenAPI document."""
        root = request.scope.get("root_path", "")
        page = PAGE.format(
            title=escape(title), base=escape(root + docs_url), openapi=escape(root + openapi_url)
        )
        return HTMLResponse(page, headers={**HEADERS, "Cache-Control": "no-cache"})

    @router.get(docs_url + "/{name}")
    async def docs_asset(name: str) -> FileResponse:
        """One of the docs page's files."""
        if name not in ASSETS:
            raise NotFound(f"the docs have no file named {name!r}")
        path, media_type = ASSETS[name]
        return FileResponse(path, media_type=media_type, headers={**HEADERS, "Cache-Control": "no-cache"})

    return router
