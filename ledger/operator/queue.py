"""The sender's side of the outbox: claiming waiting rows and recording what became of them.

On PostgreSQL rows are claimed with `SELECT ... FOR UPDATE SKIP LOCKED`, so senders of several
processes never take the same row; a claimed row is `sent` with a lease, and a row whose lease
ran out (its sender died) is claimed again. On SQLite the one sender works under the ledger's
write lock, so every `sent` row it finds is an earlier, interrupted run's and is claimed again
at once. A row claimed again is looked up on chain before anything is sent, so it lands once.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Sequence

from sqlalchemy import ColumnElement, Engine, and_, bindparam, or_, select, update

from ledger.encoding import hex32
from ledger.operator import tables as t
from ledger.operator.outbox import Write, begin_write, write_of

c = t.writes.c


def waiting(engine: Engine, now: int | None = None) -> bool:
    """Whether any row waits for the sender (accepted, or sent with a lapsed lease)."""
    with engine.connect() as conn:
        return conn.execute(select(c.id).where(_claimable(engine, now)).limit(1)).first() is not None


def _claimable(engine: Engine, now: int | None) -> ColumnElement[bool]:
    lapsed: ColumnElement[bool] = c.status == "sent"
    if engine.dialect.name == "postgresql":
        lapsed = and_(lapsed, c.lease_until < (now or int(time.time())))
    return or_(c.status == "accepted", lapsed)


def claim(engine: Engine, namespace: str, limit: int, lease: float) -> list[Write]:
    """Up to `limit` waiting rows of `namespace`, oldest first, now `sent` under a lease."""
    now = int(time.time())
    query = (
        select(t.writes).where(c.namespace == namespace, _claimable(engine, now)).order_by(c.id).limit(limit)
    )
    if engine.dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    with begin_write(engine) as conn, conn.begin():
        rows = [write_of(row) for row in conn.execute(query).mappings()]
        if rows:
            conn.execute(
                update(t.writes)
                .where(c.id.in_([w.id for w in rows]))
                .values(status="sent", lease_until=now + int(lease), updated_at=now)
            )
    return rows


def mark(engine: Engine, ids: Iterable[int], **values: object) -> None:
    """Sets `values` on the rows `ids` (a status, a failure, where they landed)."""
    wanted = list(ids)
    if not wanted:
        return
    with begin_write(engine) as conn, conn.begin():
        for start in range(0, len(wanted), 1_000):
            conn.execute(
                update(t.writes)
                .where(c.id.in_(wanted[start : start + 1_000]))
                .values(updated_at=int(time.time()), **values)
            )


def mark_landed(engine: Engine, landed: Sequence[tuple[int, int | None, int]]) -> None:
    """Rows (id, seq, block) that the chain recorded: `mined`, with their entry and block (one
    executemany, not a statement a row)."""
    if not landed:
        return
    now = int(time.time())
    statement = (
        update(t.writes)
        .where(c.id == bindparam("row_id"))
        .values(status="mined", seq=bindparam("row_seq"), block_number=bindparam("row_block"), failure=None,
                updated_at=now)
    )  # fmt: skip
    rows = [{"row_id": row_id, "row_seq": seq, "row_block": block} for row_id, seq, block in landed]
    with begin_write(engine) as conn, conn.begin():
        conn.execute(statement, rows)


def mined_upto(engine: Engine, block: int, limit: int = 5_000) -> list[Write]:
    """Mined rows in blocks up to `block` (candidates for `final`)."""
    query = select(t.writes).where(c.status == "mined", c.block_number <= block).order_by(c.id).limit(limit)
    with engine.connect() as conn:
        return [write_of(row) for row in conn.execute(query).mappings()]


def set_batch(engine: Engine, batch_id: bytes, refs: Sequence[bytes]) -> None:
    with begin_write(engine) as conn, conn.begin():
        conn.execute(
            update(t.writes)
            .where(c.namespace == "reward", c.ref.in_([hex32(r) for r in refs]))
            .values(batch_id=hex32(batch_id))
        )
