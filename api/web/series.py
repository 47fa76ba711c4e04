"""Rewards issued, paid, reversed and expired per period: the auditor dashboard's chart and table.

Periods are the ones a reader counts in (seconds, minutes, hours, days, weeks from Monday,
calendar months), chosen from the span of the ledger so that at most `buckets` of them cover it,
all in UTC.

Sums stay exact: PostgreSQL sums NUMERIC(78,0) itself; SQLite keeps amounts as zero-padded text,
which it sums exactly as 64-bit integers only while every amount and every sum fits, so larger
ledgers fall back to summing in Python.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from itertools import count
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import Connection, func, select, text
from sqlalchemy.exc import OperationalError

from api.models import Amount
from api.store.common import read_head
from ledger.db import tables as t

KINDS = ("issued", "paid", "reversed", "expired")
DAY = 86_400
MONDAY = 4 * DAY  # 1970-01-05, the first Monday of unix time: weeks start on Mondays
Unit = Literal["second", "minute", "hour", "day", "week", "month"]
SECONDS: dict[str, int] = {"second": 1, "minute": 60, "hour": 3600, "day": DAY, "week": 7 * DAY}


@dataclass(frozen=True)
class Period:
    """`step` units of time, aligned in UTC (hours to midnight, weeks to Monday, months to January)."""

    unit: Unit
    step: int

    @property
    def width(self) -> int:
        """Seconds per period, or a day for months (whose widths differ): the SQL grouping width."""
        return DAY if self.unit == "month" else self.step * SECONDS[self.unit]

    def floor(self, time: int) -> int:
        """The start of the period holding `time`."""
        if self.unit == "month":
            index = _month_index(time)
            return _month_start(index - index % self.step)
        offset = MONDAY if self.unit == "week" else 0
        return time - (time - offset) % self.width

    def after(self, start: int) -> int:
        """The start of the period following the one starting at `start`."""
        if self.unit == "month":
            return _month_start(_month_index(start) + self.step)
        return start + self.width

    def count(self, first: int, last: int) -> int:
        """How many periods cover `first`..`last`."""
        if self.unit == "month":
            return _month_index(last) // self.step - _month_index(first) // self.step + 1
        return (self.floor(last) - self.floor(first)) // self.width + 1


def _month_index(time: int) -> int:
    day = datetime.fromtimestamp(time, UTC)
    return day.year * 12 + day.month - 1


def _month_start(index: int) -> int:
    return int(datetime(index // 12, index % 12 + 1, 1, tzinfo=UTC).timestamp())


# Periods a reader takes in at a glance, finest first; beyond the last, whole numbers of years.
STEPS: tuple[tuple[Unit, tuple[int, ...]], ...] = (
    ("second", (1, 5, 15, 30)), ("minute", (1, 5, 15, 30)), ("hour", (1, 3, 6, 12)), ("day", (1,)),
    ("week", (1,)), ("month", (1, 3, 6, 12)),
)  # fmt: skip
LADDER = tuple(Period(unit, step) for unit, steps in STEPS for step in steps)


def choose_period(first: int, last: int, buckets: int) -> Period:
    """The finest period of the ladder that covers `first`..`last` in at most `buckets` periods."""
    for period in LADDER:
        if period.count(first, last) <= buckets:
            return period
    return next(p for p in _years() if p.count(first, last) <= buckets)


def _years() -> Iterator[Period]:
    """1, 2, 5, 10, 20, 50… years."""
    for power in count():
        for years in (1, 2, 5):
            yield Period("month", 12 * years * 10**power)


class SeriesPointPublic(BaseModel):
    model_config = ConfigDict(frozen=True)

    time: int = Field(description="unix seconds where the period starts")
    end: int = Field(description="unix seconds where the next period starts")
    issued: Amount
    paid: Amount
    reversed: Amount
    expired: Amount


class SeriesPublic(BaseModel):
    model_config = ConfigDict(frozen=True)

    as_of_block: int
    unit: Unit = Field(description="the unit of the periods (UTC; weeks start on Monday)")
    step: int = Field(description="units per period")
    points: list[SeriesPointPublic]


Sums = dict[tuple[int, str], int]


def _sums_in_sql(conn: Connection, start: int, width: int) -> Sums | None:
    """Per (bucket, kind) sums computed by the database, or None where it cannot be exact."""
    postgres = conn.dialect.name == "postgresql"
    if not postgres:
        largest = conn.execute(select(func.max(t.entries.c.amount))).scalar()  # padded text orders as numbers
        if largest is not None and largest > 2**63 - 1:
            return None
    amount = "amount" if postgres else "CAST(amount AS INTEGER)"
    sql = text(
        f"SELECT (block_time - :start) / :width, kind, SUM({amount}) FROM entries GROUP BY 1, 2"
    )  # the padded text casts exactly: every amount fits 64 bits (checked above)
    try:
        rows = conn.execute(sql, {"start": start, "width": width}).all()
    except OperationalError:  # SQLite: "integer overflow" of a sum
        conn.rollback()
        return None
    return {(int(b), str(k)): int(s) for b, k, s in rows}


def _sums_in_python(conn: Connection, start: int, width: int) -> Sums:
    sums: Sums = defaultdict(int)
    c = t.entries.c
    rows = conn.execution_options(stream_results=True, yield_per=5000).execute(
        select(c.block_time, c.kind, c.amount)
    )
    for block_time, kind, amount in rows:
        sums[((block_time - start) // width, kind)] += amount
    return sums


def _point(time: int, end: int, sums: dict[str, int]) -> SeriesPointPublic:
    return SeriesPointPublic(
        time=time, end=end, issued=str(sums["issued"]), paid=str(sums["paid"]),
        reversed=str(sums["reversed"]), expired=str(sums["expired"]),
    )  # fmt: skip


def series(conn: Connection, buckets: int) -> SeriesPublic:
    """Every entry summed by kind into at most `buckets` periods (empty ones included)."""
    head = read_head(conn)
    first, last = conn.execute(
        select(func.min(t.entries.c.block_time), func.max(t.entries.c.block_time))
    ).one()
    if first is None:
        return SeriesPublic(as_of_block=head.block, unit="day", step=1, points=[])
    period = choose_period(first, last, buckets)
    starts = [period.floor(first)]
    while period.after(starts[-1]) <= last:
        starts.append(period.after(starts[-1]))
    # The database groups by a fixed width that divides every period (a day, for months).
    width = period.width
    grouped = _sums_in_sql(conn, starts[0], width)
    if grouped is None:
        grouped = _sums_in_python(conn, starts[0], width)
    sums: Sums = defaultdict(int)
    for (group, kind), amount in grouped.items():
        sums[(bisect_right(starts, starts[0] + group * width) - 1, kind)] += amount
    points = [
        _point(start, period.after(start), {k: sums.get((i, k), 0) for k in KINDS})
        for i, start in enumerate(starts)
    ]
    return SeriesPublic(as_of_block=head.block, unit=period.unit, step=period.step, points=points)
