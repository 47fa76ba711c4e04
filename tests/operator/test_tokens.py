"""Tokens: no token is a 401, a token without the scope a 403, a revoked token stops at once;
tokens are kept only as hashes and shown once; read routes stay open, audit routes take an
auditor token."""

from __future__ import annotations

import time

from sqlalchemy import select
from typer.testing import CliRunner

from ledger.cli.main import app as cli
from ledger.db.engine import make_engine
from ledger.operator import tables as t
from ledger.operator.tokens import revoke_token
from tests.operator.conftest import Operator, player

ONE = {"campaign": "welcome", "rows": [{"player": "0x" + "11" * 32, "amount": "5", "reference": "t-1"}]}


def test_a_write_without_a_token_is_401_and_with_an_unknown_token_too(op: Operator) -> None:
    bare = op.api.post("/v1/operator/rewards", json=ONE)
    forged = op.api.post("/v1/operator/rewards", json=ONE, headers={"Authorization": "Bearer lop_forged"})
    assert bare.status_code == forged.status_code == 401
    assert bare.json()["error"] == "unauthorized" and bare.headers["WWW-Authenticate"] == "Bearer"


def test_a_token_without_the_scope_is_403_and_admin_may_do_everything(op: Operator) -> None:
    payout = {"player": player(), "amount": "1", "reference": "p-1"}
    assert op.post("rewards", ONE, scope="payer")[0] == 403
    assert op.post("rewards", ONE, scope="auditor")[0] == 403
    status, body = op.post("payouts", payout, scope="issuer")
    assert (status, body["error"]) == (403, "forbidden") and "payer" in body["message"]
    assert op.post("rewards", ONE, scope="admin")[0] == 202
    assert op.post("payouts", payout, scope="admin")[0] == 202


def test_a_revoked_token_stops_working_on_its_next_request(op: Operator) -> None:
    assert op.post("rewards", ONE)[0] == 202
    engine = make_engine(op.settings.effective_database_url)
    with engine.connect() as conn:
        token_id = conn.execute(select(t.tokens.c.id).where(t.tokens.c.scope == "issuer")).scalar_one()
    revoke_token(engine, token_id)
    engine.dispose()
    assert op.post("rewards", ONE)[0] == 401
    assert op.api.get("/v1/operator/rewards/t-1", headers=op.auth("issuer")).status_code == 401


def test_read_routes_stay_open_and_audit_routes_take_an_auditor_token(op: Operator) -> None:
    assert op.api.get("/health").status_code == 200
    assert op.api.get("/v1/audit/summary").status_code == 401
    assert op.api.get("/v1/audit/summary", headers=op.auth("issuer")).status_code == 403
    for scope in ("auditor", "admin"):
        assert op.api.get("/v1/audit/summary", headers=op.auth(scope)).status_code in (200, 503)
    configured = {"Authorization": f"Bearer {op.settings.api_token.get_secret_value()}"}  # type: ignore[union-attr]
    assert op.api.get("/v1/audit/summary", headers=configured).status_code in (200, 503)


def test_ledger_tokens_create_shows_the_token_once_and_keeps_only_its_hash(op: Operator) -> None:
    env = {"LEDGER_DATABASE_URL": op.settings.effective_database_url}
    made = CliRunner().invoke(cli, ["tokens", "create", "--scope", "payer", "--name", "backend"], env=env)
    assert made.exit_code == 0, made.output
    secret = made.stdout.strip().splitlines()[-1]
    assert secret.startswith("lop_") and len(secret) > 40
    engine = make_engine(op.settings.effective_database_url)
    with engine.connect() as conn:
        stored = [tuple(r) for r in conn.execute(select(t.tokens))]
    engine.dispose()
    assert all(secret not in str(row) for row in stored)
    listed = CliRunner().invoke(cli, ["tokens", "list"], env=env)
    assert "backend" in listed.stdout and secret not in listed.stdout
    token_id = next(row[0] for row in stored if row[1] == "backend")
    headers = {"Authorization": f"Bearer {secret}"}
    payout = {"player": player(), "amount": "1", "reference": "cli-token"}
    assert op.api.post("/v1/operator/payouts", json=payout, headers=headers).status_code == 202
    revoked = CliRunner().invoke(cli, ["tokens", "revoke", str(token_id)], env=env)
    assert revoked.exit_code == 0 and "revoked" in revoked.stdout
    assert op.api.post("/v1/operator/payouts", json=payout, headers=headers).status_code == 401


def test_ledger_tokens_refuses_an_unknown_scope_and_token_in_one_line(op: Operator) -> None:
    env = {"LEDGER_DATABASE_URL": op.settings.effective_database_url}
    bad = CliRunner().invoke(cli, ["tokens", "create", "--scope", "root"], env=env)
    missing = CliRunner().invoke(cli, ["tokens", "revoke", "999"], env=env)
    assert bad.exit_code == 2 and bad.stderr.startswith("error: unknown scope 'root'")
    assert missing.exit_code != 0 and missing.stderr.startswith("error: there is no token 999")


def test_a_token_over_its_rate_limit_gets_429_with_retry_after_and_others_go_on(op: Operator) -> None:
    from fastapi.testclient import TestClient

    from api.main import create_app

    cfg = op.settings.model_copy(update={"operator_rate": 2.0, "operator_burst": 3.0})
    with TestClient(create_app(cfg)) as api:
        path = "/v1/operator/rewards/none"
        codes = [api.get(path, headers=op.auth("issuer")).status_code for _ in range(3)]
        limited = api.get(path, headers=op.auth("issuer"))
        other = api.get(path, headers=op.auth("auditor"))
        time.sleep(0.6)
        again = api.get(path, headers=op.auth("issuer"))
    assert codes == [404, 404, 404] and other.status_code == 404 and again.status_code == 404
    assert (limited.status_code, limited.json()["error"], limited.headers["Retry-After"]) == (
        429,
        "rate_limited",
        "1",
    )
