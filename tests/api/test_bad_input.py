"""Bad input is a 4xx with a JSON message, never a 500."""

from __future__ import annotations

import base64

import httpx
import pytest

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
