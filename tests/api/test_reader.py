"""The hot path's PostgreSQL connections: handed out in order, replaced when the server drops them."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import Engine, create_engine, text

from api.main import create_app
from api.store.reader import ConnectionSlots, Reader
from ledger.chain.node import LocalNode
from ledger.db.engine import make_engine
from ledger.errors import DatabaseError
from tests.api.conftest import settings_for
from tests.api.world import World
from tests.conftest import eventually, fresh_database

UNREACHABLE = "postgresql+psycopg://nobody@127.0.0.1:1/none"


async def test_waiting_requests_get_connections_in_the_order_they_asked() -> None:
    slots = ConnectionSlots(1)
    held = await slots.take()
    served: list[str] = []

    async def request(name: str) -> None:
        conn = await slots.take()
        served.append(name)
        await asyncio.sleep(0)
        slots.give(conn)

    waiting = [asyncio.create_task(request(f"waiter {i}")) for i in range(3)]
    await asyncio.sleep(0)  # all three are queued
    slots.give(held)
    await request("newcomer")  # asks as the slot is handed to waiter 0, before that one has run
    await asyncio.gather(*waiting)
    assert served == ["waiter 0", "waiter 1", "waiter 2", "newcomer"]


async def test_a_waiter_cancelled_as_it_is_handed_a_slot_passes_it_on() -> None:
    slots = ConnectionSlots(1)
    held = await slots.take()
    first = asyncio.create_task(slots.take())
    second = asyncio.create_task(slots.take())
    await asyncio.sleep(0)
    slots.give(held)  # handed to `first`, which is cancelled before it runs
    first.cancel()
    assert await asyncio.wait_for(second, 1) is held
    with pytest.raises(asyncio.CancelledError):
        await first


async def test_a_connection_that_comes_back_after_the_slots_were_drained_is_closed() -> None:
    class Connection:
        closed = False

        def terminate(self) -> None:
            self.closed = True

    slots = ConnectionSlots(2)
    await slots.take()
    idle, busy = Connection(), Connection()
    slots.give(idle)
    assert slots.drain() == [idle]  # the reader closes these itself
    slots.give(busy)  # a request that outlived the reader
    assert busy.closed and not idle.closed


@pytest.fixture
def postgres(tmp_path: Path) -> Iterator[tuple[Reader, Engine]]:
    """A reader on a fresh PostgreSQL schema, and an admin engine to end its server processes."""
    with fresh_database("postgresql", tmp_path) as url:
        engine = make_engine(url)
        admin = create_engine(url, isolation_level="AUTOCOMMIT")
        yield Reader(engine), admin
        admin.dispose()
        engine.dispose()


def _terminate(admin: Engine, pid: int) -> None:
    """Ends the server process `pid` and waits until it is gone (its socket closed)."""
    with admin.connect() as conn:
        assert conn.execute(text("SELECT pg_terminate_backend(:pid, 5000)"), {"pid": pid}).scalar()


async def _until_running(admin: Engine, pid: int, fragment: str) -> None:
    """Waits until the server process `pid` is running a statement containing `fragment`."""

    def running() -> bool:
        with admin.connect() as conn:
            query = conn.execute(
                text("SELECT query FROM pg_stat_activity WHERE pid = :pid"), {"pid": pid}
            ).scalar()
        return bool(query and fragment in query)

    await eventually(running, timeout=30, what=f"process {pid} running {fragment}")


def _idle_closed(reader: Reader) -> bool:
    """The connection held idle has seen its socket closed (read from the reader's slots)."""
    slots = reader._slots
    return slots is not None and any(c is not None and c.is_closed() for c in slots._free)


async def _pid(reader: Reader) -> int:
    rows = await reader.rows("SELECT pg_backend_pid()", {})
    return int(rows[0][0])


async def test_a_connection_the_server_closed_while_idle_is_replaced(postgres: tuple[Reader, Engine]) -> None:
    reader, admin = postgres
    try:
        before = await _pid(reader)
        assert await _pid(reader) == before  # held open and reused
        _terminate(admin, before)
        # the loop reads the closed socket: the idle connection knows it is closed
        await eventually(lambda: _idle_closed(reader), timeout=10, what="the idle connection seen closed")
        after = await _pid(reader)
        assert after != before
    finally:
        await reader.aclose()


async def test_a_statement_cut_off_midway_is_a_503_and_the_next_one_reconnects(
    postgres: tuple[Reader, Engine],
) -> None:
    reader, admin = postgres
    try:
        before = await _pid(reader)
        slow = asyncio.create_task(reader.rows("SELECT pg_sleep(:seconds)", {"seconds": 5}))
        await _until_running(admin, before, "pg_sleep")
        _terminate(admin, before)
        with pytest.raises(DatabaseError, match="cannot answer now"):
            await asyncio.wait_for(slow, 5)
        assert await _pid(reader) != before
    finally:
        await reader.aclose()


async def test_a_statement_over_the_time_limit_is_a_503_and_frees_its_slot(
    postgres: tuple[Reader, Engine], monkeypatch: pytest.MonkeyPatch
) -> None:
    reader, _ = postgres
    monkeypatch.setattr("api.store.reader.POSTGRES_STATEMENT_TIMEOUT_S", 0.5)
    monkeypatch.setattr("api.store.reader.POSTGRES_CONNECTIONS", 1)
    try:
        started = time.monotonic()
        with pytest.raises(DatabaseError, match="TimeoutError"):
            await reader.rows("SELECT pg_sleep(:seconds)", {"seconds": 5})
        assert time.monotonic() - started < 3
        assert await _pid(reader) > 0  # the one slot serves again
    finally:
        await reader.aclose()


async def test_named_parameters_are_numbered_once_each_beside_casts(postgres: tuple[Reader, Engine]) -> None:
    reader, _ = postgres
    try:
        rows = await reader.rows("SELECT :a::int + :b::int * 10 + :a::int * 100, ':a'", {"a": 1, "b": 2})
        assert tuple(rows[0]) == (121, ":a")
    finally:
        await reader.aclose()


async def test_the_hot_routes_answer_503_when_postgresql_is_unreachable(
    world: World, anvil: LocalNode
) -> None:
    app = create_app(settings_for(UNREACHABLE, world, anvil))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://api.test") as c:
        for path in (
            f"/v1/players/{world.key('alice')}/balance",
            f"/v1/players/{world.key('alice')}/history",
        ):
            reply = await c.get(path)
            assert reply.status_code == 503, path
            assert reply.json()["error"] == "database_unavailable", path
