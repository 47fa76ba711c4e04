"""The hot routes' serialiser: orjson, with pydantic for what orjson refuses."""

from __future__ import annotations

import json

from api.deps import raw_json


def test_answers_are_json_with_wide_integers_kept_exact() -> None:
    fields = {"amount": "1", "seq": 2**63 - 1, "wide": 2**256 - 1, "text": "bonus ✓", "none": None}
    reply = raw_json(fields)
    assert reply.media_type == "application/json"
    assert json.loads(bytes(reply.body)) == fields
