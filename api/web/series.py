"""Rewards issued, paid, reversed and expired per time bucket: the auditor dashboard's chart.

Sums stay exact: PostgreSQL sums NUMERIC(78,0) itself; SQLite keeps amounts as zero-padded text,
which it sums exactly as 64-bit integers only while every amount and every sum fits, so larger
ledgers fall back to summing in Python.
"""

from __future__ import annotations

from collections import defaultdict

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import Connection, func, select, text
from sqlalchemy.exc import OperationalError

from api.models import Amount
from api.store.common import read_head
from ledger.db import tables as t

KINDS = ("issued", "paid", "reversed", "expired")

# Bucket widths a reader can take in at a glance, in seconds: minutes, hours, days, weeks.
NICE_WIDTHS = (
    1,
    5,
    15,
    60,
    300,
    900,
    1800,
    3600,
    3 * 3600,
    6 * 3600,
    12 * 3600,
    86400,
    7 * 86400,
    30 * 86400,
)


class SeriesPointPublic(BaseModel):
    model_config = ConfigDict(frozen=True)

    time: int = Field(description="unix seconds where the bucket starts")
    issued: Amount
    paid: Amount
    reversed: Amount
    expired: Amount


class SeriesPublic(BaseModel):
    model_config = ConfigDict(frozen=True)

    as_of_block: int
    bucket_seconds: int
    points: list[SeriesPointPublic]


def bucket_width(first: int, last: int, buckets: int) -> int:
    """The smallest nice width that covers `first`..`last` in at most `buckets` aligned buckets."""
    for width in NICE_WIDTHS:
        if last // width - first // width < buckets:
            return width
    month = NICE_WIDTHS[-1]
    return month * -(-(last - first + 1) // (month * (buckets - 1)))  # whole "months" beyond that


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


def _point(time: int, sums: dict[str, int]) -> SeriesPointPublic:
    return SeriesPointPublic(
        time=time, issued=str(sums["issued"]), paid=str(sums["paid"]), reversed=str(sums["reversed"]),
        expired=str(sums["expired"]),
    )  # fmt: skip


def series(conn: Connection, buckets: int) -> SeriesPublic:
    """Every entry summed by kind into at most `buckets` aligned time buckets (empty ones included)."""
    head = read_head(conn)
    first, last = conn.execute(
        select(func.min(t.entries.c.block_time), func.max(t.entries.c.block_time))
    ).one()
    if first is None:
        return SeriesPublic(as_of_block=head.block, bucket_seconds=0, points=[])
    width = bucket_width(first, last, buckets)
    start = first // width * width
    sums = _sums_in_sql(conn, start, width)
    if sums is None:
        sums = _sums_in_python(conn, start, width)
    points = [
        _point(start + b * width, {k: sums.get((b, k), 0) for k in KINDS})
        for b in range((last - start) // width + 1)
    ]
    return SeriesPublic(as_of_block=head.block, bucket_seconds=width, points=points)
