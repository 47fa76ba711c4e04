"""Bad input is a 4xx with a JSON message, never a 500: chosen cases with their exact words, then
a systematic battery, every route's every parameter against every kind of bad value, bad tokens
on every audit route, and every way the node behind the API can fail."""

from __future__ import annotations

import base64
from typing import Any
from urllib.parse import quote

import httpx
import pytest
from fastapi import FastAPI

from api.errors import MAX_MESSAGE
from api.main import create_app
from ledger.chain.node import LocalNode
from ledger.config import Settings
from tests.api.conftest import TOKEN, settings_for
from tests.api.faultnode import MODES, fault_node
from tests.api.world import World

ZERO = "0x" + "00" * 32
ALICE = "{alice}"


def _cursor(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


CASES = [
    ("/v1/players/0x1234/balance", 422, "player"),
    ("/v1/players/not-a-key/history", 422, "player"),
    (f"/v1/players/0x{'zz' * 32}/balance", 422, "player"),
    (f"/v1/players/{ZERO}/balance", 422, "not all zero"),
    (f"/v1/players/0x{'ab' * 32}/balance", 404, "has no entries"),
    (f"/v1/players/0x{'ab' * 32}/history", 404, "has no entries"),
    (f"/v1/players/{ALICE}/history?cursor=%%%", 400, "cursor"),
    (f"/v1/players/{ALICE}/history?cursor={_cursor('ea:5')}", 400, "not from this listing"),
    (f"/v1/players/{ALICE}/history?cursor={_cursor('ed:-1')}", 400, "malformed"),
    (f"/v1/players/{ALICE}/history?cursor={_cursor('ed:' + '9' * 30)}", 400, "malformed"),
    (f"/v1/players/{ALICE}/history?limit=0", 422, "limit"),
    (f"/v1/players/{ALICE}/history?limit=501", 422, "limit"),
    (f"/v1/players/{ALICE}/history?from_block=-1", 422, "from_block"),
    (f"/v1/players/{ALICE}/history?to_block={2**63}", 422, "to_block"),
    (f"/v1/players/{ALICE}/history?from_block=9&to_block=3", 400, "after to_block"),
    (f"/v1/players/{ALICE}/history?from_time=2030-01-01&to_time=2020-01-01", 400, "after to_time"),
    (f"/v1/players/{ALICE}/history?from_time=yesterday", 422, "from_time"),
    (f"/v1/players/{ALICE}/history?kind=gift", 422, "kind"),
    (f"/v1/players/{ALICE}/history?order=sideways", 422, "order"),
    (f"/v1/players/{ALICE}/history?campaign={'x' * 40}", 422, "up to 32 printable ASCII characters"),
    (f"/v1/players/{ALICE}/history?from_blok=5", 422, "unknown parameter"),
    (f"/v1/players/{ALICE}/balance?verbose=1", 422, "takes no query parameters"),
    ("/v1/audit/entries?kinds=paid", 422, "unknown parameter"),
    ("/v1/campaigns?page=2", 422, "unknown parameter"),
    (f"/v1/players/{ALICE}/history?from_block=9&from_block=0", 422, "from_block: given more than once"),
    ("/v1/audit/entries?kind=paid&kind=issued", 422, "kind: given more than once"),
    (f"/v1/players/{ALICE}/entries/0", 422, "seq"),
    (f"/v1/players/{ALICE}/entries/{2**63}", 422, "seq"),
    (f"/v1/players/{ALICE}/entries/999999", 404, "has no entry"),
    (f"/v1/players/{ALICE}/entries/by-ref?ref=nothing-like-it", 404, "has no entry"),
    (f"/v1/players/{ALICE}/entries/by-ref", 422, "ref"),
    (f"/v1/players/{ALICE}/proof?block=-5", 422, "block"),
    ("/v1/campaigns/" + "y" * 40, 422, "campaign id is 0x and 64 hex digits"),
    ("/v1/campaigns/0x" + "zz" * 32, 422, "campaign id is 0x and 64 hex digits"),
    ("/v1/campaigns?cursor=" + _cursor("ed:5"), 400, "not from this listing"),
    ("/v1/campaigns?limit=100000", 422, "limit"),
    ("/v1/audit/entries?sender=0x12", 422, "an account is"),
    ("/v1/audit/entries?player=0x12", 422, "a player key is"),
    ("/v1/audit/entries?limit=1001", 422, "limit"),
    ("/v1/audit/export.csv?from_block=5&to_block=1", 400, "after to_block"),
]


@pytest.mark.parametrize(("path", "status", "words"), CASES, ids=[c[0][:60] for c in CASES])
async def test_bad_input_is_a_4xx_json_answer_with_a_clear_message(
    client: httpx.AsyncClient, auth: dict[str, str], world: World, path: str, status: int, words: str
) -> None:
    reply = await client.get(path.replace(ALICE, world.key("alice")), headers=auth)
    body = reply.json()
    assert reply.status_code == status, body
    assert set(body) >= {"error", "message"} and words in body["message"], body


def assert_clear_refusal(reply: httpx.Response, *statuses: int) -> dict[str, Any]:
    """A JSON `{error, message}` with a status among `statuses`, its message one short line."""
    assert reply.status_code in statuses, (reply.status_code, reply.text[:300])
    body: dict[str, Any] = reply.json()
    assert isinstance(body["error"], str) and isinstance(body["message"], str), body
    message = body["message"]
    assert len(message.splitlines()) == 1 and len(message) <= MAX_MESSAGE, message
    assert all(len(d.splitlines()) == 1 and len(d) <= MAX_MESSAGE for d in body.get("details", [])), body
    return body


# Every kind of bad value, for every parameter of every route.
BAD = {
    "above-uint256": str(2**256 + 1), "5000-digits": "9" * 5000, "negative": "-1", "fraction": "1.5",
    "non-ascii": "bön✓", "line-separator": "a\u2028b", "empty": "", "overlong": "x" * 10_000, "nul": "a\x00b",
}  # fmt: skip
# ...and for cursors, what a cursor can be made to hold.
BAD_CURSORS = {
    "not-base64": "%%%", "other-listing": _cursor("zz:5"), "huge-position": _cursor("ed:" + "9" * 5000),
    "separator-inside": _cursor("ed:\u2028"), "not-utf8": base64.urlsafe_b64encode(b"ed:\xff\xfe").decode(),
}  # fmt: skip
# The few bad-looking values that are good ones for a parameter (2xx or 3xx is right for them):
# a campaign id may be any short printable text; a time may be negative or fractional unix
# seconds; an empty cursor means the first page; `/v1/campaigns/` redirects to the listing.
ACCEPTED = {
    ("*", "query", "campaign", "negative"), ("*", "query", "campaign", "fraction"),
    ("*", "query", "from_time", "negative"), ("*", "query", "from_time", "fraction"),
    ("*", "query", "to_time", "negative"), ("*", "query", "to_time", "fraction"), ("*", "query", "cursor", "empty"),
    ("/v1/campaigns/{campaign}", "path", "campaign", "empty"),
}  # fmt: skip
OPERATOR = "/v1/operator/"  # the operator API's routes have their own battery: tests/operator
SPEC = create_app(Settings(database_url="sqlite://", _env_file=None)).openapi()  # type: ignore[call-arg]
VALID = {"player": ALICE, "seq": "1", "campaign": "welcome"}


def _battery() -> list[tuple[str, str, str, str, str]]:
    cases = []
    for path, operations in SPEC["paths"].items():
        if path.startswith(OPERATOR):
            continue
        for parameter in operations["get"].get("parameters", []):
            values = BAD_CURSORS if parameter["name"] == "cursor" else BAD
            cases += [
                (path, parameter["in"], parameter["name"], kind, value) for kind, value in values.items()
            ]
    return cases


BATTERY = _battery()


@pytest.mark.parametrize(
    ("path", "where", "name", "kind", "value"), BATTERY, ids=[f"{c[0]}:{c[2]}={c[3]}" for c in BATTERY]
)
async def test_every_parameter_of_every_route_refuses_every_bad_value_in_json(
    client: httpx.AsyncClient, world: World, path: str, where: str, name: str, kind: str, value: str
) -> None:
    values = {**VALID, "player": world.key("alice")}
    params = {}
    if where == "path":
        values[name] = value
    else:
        params[name] = value
    url = path.format(**{key: quote(text, safe="") for key, text in values.items()})
    reply = await client.get(url, params=params, headers={"Authorization": f"Bearer {TOKEN}"})
    if {(path, where, name, kind), ("*", where, name, kind)} & ACCEPTED:
        assert reply.status_code < 400, (reply.status_code, reply.text[:300])
    else:
        assert_clear_refusal(reply, 400, 404, 409, 422)


def test_the_battery_covers_every_route_and_parameter(app: FastAPI) -> None:
    routes = {
        path
        for path, operations in app.openapi()["paths"].items()
        if not path.startswith(OPERATOR) and operations["get"].get("parameters")
    }
    assert {case[0] for case in BATTERY} == routes and len(routes) >= 10
    assert app.openapi()["paths"].keys() == SPEC["paths"].keys()


# What the pages' and the docs' routes (outside the OpenAPI document) get.
UNLISTED = [
    ("/web/" + "x" * 5000, 404), ("/web/a%E2%80%A8b", 404), ("/web/%FF", 404), ("/docs/" + "y" * 5000, 404),
    ("/web/audit/series?buckets=" + "9" * 5000, 422), ("/web/audit/series?buckets=-1", 422),
    ("/web/audit/series?buckets=1.5", 422), ("/web/audit/series?buckets=", 422),
]  # fmt: skip


@pytest.mark.parametrize(("path", "status"), UNLISTED, ids=[p[:40] for p, _ in UNLISTED])
async def test_the_unlisted_routes_refuse_bad_values_in_one_short_line(
    client: httpx.AsyncClient, path: str, status: int
) -> None:
    assert_clear_refusal(await client.get(path, headers={"Authorization": f"Bearer {TOKEN}"}), status)


BAD_TOKENS = {
    "none": None, "empty": b"", "scheme-only": b"Bearer", "other-scheme": b"Basic " + base64.b64encode(b"a:b"),
    "wrong": b"Bearer wrong", "overlong": b"Bearer " + b"x" * 10_000, "latin-1": "Bearer é".encode("latin-1"),
    "line-separator": "Bearer \u2028".encode(), "prefix-of-token": f"Bearer {TOKEN[:-1]}".encode(),
    "token-and-more": f"Bearer {TOKEN}x".encode(),
}  # fmt: skip
AUDIT_ROUTES = [path for path in SPEC["paths"] if path.startswith("/v1/audit/")]


@pytest.mark.parametrize("token", BAD_TOKENS, ids=list(BAD_TOKENS))
@pytest.mark.parametrize("path", AUDIT_ROUTES)
async def test_every_audit_route_refuses_every_bad_token(
    client: httpx.AsyncClient, path: str, token: str
) -> None:
    value = BAD_TOKENS[token]
    reply = await client.get(path, headers={} if value is None else {"Authorization": value})
    assert assert_clear_refusal(reply, 401)["error"] == "unauthorized"
    assert reply.headers["www-authenticate"] == "Bearer"


NODE_ROUTES = ["/v1/players/{alice}/proof", "/v1/players/{alice}/proof?block=1", "/v1/audit/reconcile"]


@pytest.mark.parametrize("mode", ["down", *MODES])
async def test_a_node_that_fails_in_any_way_is_a_503_that_keeps_its_address_private(
    mirror_url: str, world: World, anvil: LocalNode, mode: str
) -> None:
    with fault_node(anvil.url, "hangs-up" if mode == "down" else mode) as url:
        if mode == "down":
            url = url.rsplit(":", 1)[0] + ":1"  # nothing listens on port 1
        app = create_app(settings_for(mirror_url, world, anvil, TOKEN).model_copy(update={"rpc_url": url}))
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://api.test") as c:
            auth = {"Authorization": f"Bearer {TOKEN}"}
            for path in NODE_ROUTES:
                reply = await c.get(path.format(alice=world.key("alice")), headers=auth)
                if mode == "nulls" and "/proof" in path:  # the node says the block does not exist
                    assert assert_clear_refusal(reply, 404)["error"] == "not_found"
                    continue
                body = assert_clear_refusal(reply, 503)
                assert body["error"] == "node_unavailable" and url.split("//")[1] not in body["message"], body
            status = await c.get("/v1/audit/status", headers=auth)
    assert status.status_code == 200 and status.json()["node_block"] is None
