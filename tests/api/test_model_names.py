"""The API's response schema spells kinds and events as the entry model does: a kind added to
`ledger.model.RULES` without its name in the API's literals fails here, not in a player's client."""

from __future__ import annotations

from typing import get_args

from api.models import EventName, Kind
from ledger.model import RULES


def test_the_api_kinds_are_the_entry_model_kinds() -> None:
    assert sorted(get_args(Kind)) == sorted(rule.name for rule in RULES.values())


def test_the_api_event_names_are_the_entry_model_events() -> None:
    events = {rule.event for rule in RULES.values()} | {
        r.batch_event for r in RULES.values() if r.batch_event
    }
    assert sorted(get_args(EventName)) == sorted(events)
