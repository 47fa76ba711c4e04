"""`ledger tokens`: the operator API's access tokens (created, listed, revoked; shown once)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from ledger.cli.common import clean_errors, iso, out, settings
from ledger.inputs import parse_count

if TYPE_CHECKING:
    from sqlalchemy import Engine

app = typer.Typer(help="Access tokens for the operator HTTP API: issuer, payer, admin, auditor.")


def _engine() -> Engine:
    """The mirror's database, brought to the newest schema (the tokens table lives there)."""
    from ledger.db.engine import make_engine
    from ledger.db.migrate import upgrade

    engine = make_engine(settings().effective_database_url)
    upgrade(engine)
    return engine


@app.command()
@clean_errors
def create(
    scope: Annotated[str, typer.Option(help="issuer, payer, admin or auditor")],
    name: Annotated[str | None, typer.Option(help="a label for the token (default: the scope)")] = None,
) -> None:
    """Create a token; it is printed once, only its hash is kept."""
    from ledger.operator.tokens import check_scope, create_token

    check_scope(scope)
    engine = _engine()
    try:
        token, secret = create_token(engine, scope, name)
    finally:
        engine.dispose()
    out.print(f"token {token.id} ({token.scope}, {token.name!r}); keep it now, it is not shown again:")
    out.print(secret, markup=False)


@app.command("list")
@clean_errors
def list_() -> None:
    """List the tokens: id, scope, name, created, revoked."""
    from ledger.operator.tokens import list_tokens

    engine = _engine()
    try:
        tokens = list_tokens(engine)
    finally:
        engine.dispose()
    if not tokens:
        out.print("no tokens (`ledger tokens create --scope issuer` makes one)")
    for t in tokens:
        state = f"revoked {iso(t.revoked_at)}" if t.revoked_at is not None else "active"
        out.print(
            f"{t.id:>4}  {t.scope:<8} {t.name!r:<24} created {iso(t.created_at)}  {state}", markup=False
        )


@app.command()
@clean_errors
def revoke(token_id: Annotated[str, typer.Argument(help="the token's id (`ledger tokens list`)")]) -> None:
    """Revoke a token: it stops working on its next request."""
    from ledger.operator.tokens import revoke_token

    number = parse_count(token_id, "token id")
    engine = _engine()
    try:
        token = revoke_token(engine, number)
    finally:
        engine.dispose()
    assert token.revoked_at is not None
    out.print(f"token {token.id} ({token.scope}, {token.name!r}) revoked at {iso(token.revoked_at)}")
