"""Webhooks: registered URLs, the deliveries each final or failed write queues, and their log.

When the sender has marked writes `final` or `failed`, `enqueue` queues one delivery per write
and registered webhook in one transaction (unique on webhook, write and event, so a crash
between the two steps queues nothing twice) and stamps the writes as notified. Deliveries are
queued in entry order (`seq`), so each player's entries arrive in sequence order.
"""

from __future__ import annotations

import json
import secrets
import time
import uuid
from dataclasses import dataclass
from urllib.parse import urlsplit

from sqlalchemy import Engine, insert, select, update

from ledger.db.tables import insert_ignoring
from ledger.errors import InputError, NotFound
from ledger.operator import tables as t
from ledger.operator.outbox import begin_write, write_of

MAX_URL = 2048


@dataclass(frozen=True)
class Webhook:
    id: int
    url: str
    created_at: int
    removed_at: int | None


def check_url(url: str) -> str:
    parts = urlsplit(url.strip())
    if (
        parts.scheme not in ("http", "https")
        or not parts.hostname
        or len(url) > MAX_URL
        or not url.isprintable()
    ):
        raise InputError(f"a webhook URL is http(s)://host/path of at most {MAX_URL} characters")
    return url.strip()


def register(engine: Engine, url: str) -> tuple[Webhook, str]:
    """A new webhook and its signing secret (shown once; the server keeps it to sign)."""
    url, secret, now = check_url(url), "whsec_" + secrets.token_urlsafe(32), int(time.time())
    with engine.begin() as conn:
        row = {"url": url, "secret": secret, "created_at": now}
        webhook_id = conn.execute(insert(t.webhooks).values(**row).returning(t.webhooks.c.id)).scalar_one()
    return Webhook(int(webhook_id), url, now, None), secret


def listed(engine: Engine) -> list[Webhook]:
    c = t.webhooks.c
    with engine.connect() as conn:
        rows = conn.execute(select(c.id, c.url, c.created_at, c.removed_at).order_by(c.id))
        return [Webhook(int(r.id), r.url, int(r.created_at), r.removed_at) for r in rows]


def remove(engine: Engine, webhook_id: int) -> Webhook:
    c = t.webhooks.c
    with engine.begin() as conn:
        conn.execute(
            update(t.webhooks)
            .where(c.id == webhook_id, c.removed_at.is_(None))
            .values(removed_at=int(time.time()))
        )
    return one(engine, webhook_id)


def one(engine: Engine, webhook_id: int) -> Webhook:
    found = [w for w in listed(engine) if w.id == webhook_id]
    if not found:
        raise NotFound(f"there is no webhook {webhook_id}")
    return found[0]


def enqueue(engine: Engine, limit: int = 5_000) -> int:
    """Queues deliveries for final and failed writes not notified yet; how many writes."""
    w = t.writes.c
    query = (
        select(t.writes)
        .where(w.status.in_(["final", "failed"]), w.notified_at.is_(None))
        .order_by(w.seq.is_(None), w.seq, w.id)
        .limit(limit)
    )
    now = int(time.time())
    with begin_write(engine) as conn, conn.begin():
        writes = [write_of(row) for row in conn.execute(query).mappings()]
        hooks = conn.execute(select(t.webhooks.c.id).where(t.webhooks.c.removed_at.is_(None))).scalars().all()
        rows = [
            {"delivery_id": uuid.uuid4().hex, "webhook_id": hook, "write_id": write.id,
             "event": f"write.{write.status}", "status": "pending", "attempts": 0, "next_attempt_at": 0.0,
             "created_at": now, "body": json.dumps({"event": f"write.{write.status}", "write": write.fields()})}
            for write in writes for hook in hooks
        ]  # fmt: skip
        if rows:
            conn.execute(insert_ignoring(conn, t.deliveries, ["webhook_id", "write_id", "event"]), rows)
        if writes:
            conn.execute(update(t.writes).where(w.id.in_([x.id for x in writes])).values(notified_at=now))
    return len(writes)


def delivery_log(engine: Engine, webhook_id: int, limit: int) -> list[dict[str, object]]:
    """The newest `limit` deliveries of a webhook, newest first."""
    one(engine, webhook_id)
    d = t.deliveries.c
    columns = (
        d.delivery_id,
        d.write_id,
        d.event,
        d.status,
        d.attempts,
        d.last_error,
        d.created_at,
        d.delivered_at,
    )
    query = select(*columns).where(d.webhook_id == webhook_id).order_by(d.id.desc()).limit(limit)
    with engine.connect() as conn:
        return [dict(row) for row in conn.execute(query).mappings()]
