"""Operator input shared by the `ledger` command and the operator API: counts, debit amounts,
times and campaign windows, each refused with one clear line (an `InputError`)."""

from __future__ import annotations

import re
from datetime import datetime

from ledger.errors import InputError

MAX_DEBIT = 2**128 - 1  # the contract keeps balances and debits in 128 bits
_RELATIVE = re.compile(r"^\+(\d+)([smhd])$")
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_count(value: str, what: str) -> int:
    """A positive whole number, with one clear line when it is not."""
    text = value.strip()
    if not text.isascii() or not text.isdigit() or len(text) > 18 or int(text) < 1:
        raise InputError(f"{what} {value[:40]!r} is not a positive whole number")
    return int(text)


def parse_time(value: str, now: int) -> int:
    """`now`, `+30d` / `+12h` / `+15m` / `+10s`, unix seconds, or an ISO-8601 date or time."""
    value = value.strip()
    if value == "now":
        return now
    if len(value) > 40:
        raise InputError(f"time {value[:40]!r}... is not a time")
    if match := _RELATIVE.match(value):
        return now + int(match.group(1)) * _UNITS[match.group(2)]
    if value.isascii() and value.isdigit():
        return int(value)
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise InputError(f"time {value!r} is not now, +N[smhd], unix seconds or ISO-8601") from None
    if parsed.tzinfo is None:
        raise InputError(f"time {value!r} has no time zone: add Z or +00:00")
    return int(parsed.timestamp())


def check_window(start: int, end: int) -> None:
    """The window the contract accepts: it ends after it starts, within 40-bit unix seconds."""
    if end <= start:
        raise InputError("the campaign must end after it starts")
    if start < 0 or end >= 2**40:
        raise InputError("the campaign window must lie between 1970 and the year 36812")
