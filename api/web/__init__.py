"""The player page and the auditor dashboard, served by the API."""

from api.web.routes import web_router

__all__ = ["web_router"]
