"""The hot read path: database connections held for the worker's life, used from the event loop.

Measured on the benchmark mirror, SQLAlchemy's per-statement work (building, caching, execution
context, pool checkout and reset) cost more than the queries themselves. Player balance and
history are the API's hot routes, so they run hand-written single statements here. Each statement
reads the mirror's head beside its rows, so both come from one snapshot without a transaction.

SQLite answers from memory in tens of microseconds: one connection, called inline. PostgreSQL
answers over a socket: a few asynchronous connections, so the worker serves other requests while
the server works. They are asyncpg's, not psycopg's (which the indexer and the other routes use):
on the benchmark mirror psycopg's asynchronous path cost the worker about 55 µs more per history
page, the difference between missing and meeting the API's throughput target on PostgreSQL.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import asyncpg
from sqlalchemy import Engine

from ledger.errors import DatabaseError, NotReady

# `:name` parameters, not the `::` cast nor anything inside a quoted literal (matched, kept as is).
_NAMED = re.compile(r"'(?:[^']|'')*'|(?<![:\w]):([a-z_]\w*)")

# The mirror's head, read beside the rows of each hot statement. Scalar subqueries, not a join:
# on PostgreSQL the join to the one-row tables cost twice the rest of the history statement.
HEAD_COLUMNS = ", ".join(
    [f"(SELECT {column} FROM indexer_cursor)" for column in
     ("chain_id", "contract", "last_block", "last_block_hash", "finalized_block")]
    + ["(SELECT chain_block FROM indexer_status)"]
)  # fmt: skip
# The head alone, for the routes that read no rows beside it (every path reads it with this).
HEAD_SQL = f"SELECT {HEAD_COLUMNS}"
SQLITE_MMAP_BYTES = 2**34  # as much of the file as SQLite's build allows (its cap is often 2 GiB)
SQLITE_CACHE_KIB = 65_536
log = logging.getLogger("ledger.api")
POSTGRES_CONNECTIONS = 6  # measured under load: 2 leave the worker waiting, 4 to 10 serve alike
POSTGRES_CONNECT_TIMEOUT_S = 5.0
POSTGRES_STATEMENT_TIMEOUT_S = 10.0  # a stalled server frees the slot and answers 503
# What means the database cannot answer now (503), rather than a fault in the statement.
POSTGRES_UNAVAILABLE = (
    asyncpg.PostgresError, asyncpg.InterfaceError, asyncpg.exceptions.InternalClientError, OSError, TimeoutError,
)  # fmt: skip


@dataclass(frozen=True)
class Head:
    """Where the mirror stands: its chain, contract, last block and finality, and the chain's head."""

    chain_id: int
    contract: str
    block: int
    block_hash: str
    finalized: int
    chain_block: int

    def confirmations(self, block: int) -> int:
        return max(0, self.chain_block - block + 1)


def head_of(values: Sequence[Any]) -> Head:
    """A `Head` from the six `HEAD_COLUMNS` values; `NotReady` before the indexer's first range."""
    chain_id, contract, block, block_hash, finalized, chain_block = values
    if chain_id is None:
        raise NotReady("the mirror is empty: the indexer has not caught up yet")
    return Head(
        int(chain_id),
        contract,
        int(block),
        block_hash,
        int(finalized),
        max(int(block), int(chain_block or 0)),
    )


def amount_sql(column: str, postgres: bool) -> str:
    """A uint256 column as decimal text in SQL (SQLite stores it as zero-padded text already)."""
    return f"{column}::text" if postgres else column


def _unavailable(exc: Exception) -> DatabaseError:
    """503 `database_unavailable`, the code the SQLAlchemy routes answer with; the cause is logged."""
    log.error("mirror database error: %s: %s", type(exc).__name__, exc)
    return DatabaseError(f"the mirror database cannot answer now: {type(exc).__name__}")


def _terminate(conn: asyncpg.Connection) -> None:
    """Closes `conn` at once; its loop may already be closed (tests end loops), which is fine."""
    with contextlib.suppress(RuntimeError):
        conn.terminate()


class ConnectionSlots:
    """A fixed number of connection slots, handed to waiting requests first come, first served.

    An `asyncio.Queue` lets a newcomer take a slot freed for a request already waiting, and under
    load some requests waited hundreds of milliseconds. A slot is a connection or None (not yet
    opened, or dropped after a failure)."""

    def __init__(self, size: int) -> None:
        self._free: list[asyncpg.Connection | None] = [None] * size
        self._waiters: deque[asyncio.Future[asyncpg.Connection | None]] = deque()
        self._drained = False

    async def take(self) -> asyncpg.Connection | None:
        if self._free and not self._waiters:
            return self._free.pop()
        waiter: asyncio.Future[asyncpg.Connection | None] = asyncio.get_running_loop().create_future()
        self._waiters.append(waiter)
        try:
            return await waiter
        except asyncio.CancelledError:
            if waiter.done() and not waiter.cancelled():
                self.give(waiter.result())  # handed a slot as it was cancelled: pass it on
            raise

    def give(self, conn: asyncpg.Connection | None) -> None:
        if self._drained:  # returned by a request that outlived its reader's slots
            if conn is not None:
                _terminate(conn)
            return
        while self._waiters:
            waiter = self._waiters.popleft()
            if not waiter.done():
                waiter.set_result(conn)
                return
        self._free.append(conn)

    def drain(self) -> list[asyncpg.Connection]:
        """The open connections not in use, taken out of the slots; those in use are closed as
        they come back."""
        opened = [conn for conn in self._free if conn is not None]
        self._free, self._drained = [], True
        return opened


class Reader:
    """Read-only statements written with `:name` parameters, on connections held open."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.postgres = engine.dialect.name == "postgresql"
        self._sqlite: Any = None
        self._slots: ConnectionSlots | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._url = engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
        self._sql: dict[str, tuple[str, tuple[str, ...]]] = {}

    def amount(self, column: str) -> str:
        return amount_sql(column, self.postgres)

    async def head(self) -> Head:
        """The mirror's head alone; `NotReady` before the indexer's first range."""
        rows = await self.rows(HEAD_SQL, {})
        return head_of(rows[0])

    def _numbered(self, sql: str) -> tuple[str, tuple[str, ...]]:
        """`sql` with `:name` parameters as PostgreSQL's `$1, $2…`, and the names in that order."""
        found = self._sql.get(sql)
        if found is None:
            names: list[str] = []

            def number(match: re.Match[str]) -> str:
                if match[1] is None:
                    return match[0]  # a quoted literal
                if match[1] not in names:
                    names.append(match[1])
                return f"${names.index(match[1]) + 1}"

            found = self._sql[sql] = (_NAMED.sub(number, sql), tuple(names))
        return found

    async def rows(self, sql: str, params: dict[str, Any]) -> Sequence[Sequence[Any]]:
        """All rows of one statement; `DatabaseError` (503) when the database cannot answer."""
        if self.postgres:
            text, names = self._numbered(sql)
            return await self._postgres_rows(text, [params[name] for name in names])
        return self._sqlite_rows(sql, params)

    def _sqlite_rows(self, sql: str, params: dict[str, Any]) -> list[tuple[Any, ...]]:
        if self._sqlite is None:
            self._sqlite = self.engine.raw_connection()  # with the engine's pragmas and query_only
            # Random players touch random pages: map the file and cache more of it, so reads are
            # memory accesses rather than a system call per page.
            self._sqlite.execute(f"PRAGMA mmap_size={SQLITE_MMAP_BYTES}")
            self._sqlite.execute(f"PRAGMA cache_size=-{SQLITE_CACHE_KIB}")
        try:
            cursor = self._sqlite.cursor()
            cursor.execute(sql, params)
            rows: list[tuple[Any, ...]] = cursor.fetchall()
            cursor.close()
            return rows
        except self.engine.dialect.loaded_dbapi.Error as exc:
            self._sqlite.invalidate()
            self._sqlite = None
            raise _unavailable(exc) from exc

    async def _postgres_rows(self, text: str, args: list[Any]) -> list[asyncpg.Record]:
        loop = asyncio.get_running_loop()
        if self._slots is None or self._loop is not loop:
            # Connections belong to the loop that opened them (one per worker in service; tests
            # run several loops): a new loop starts with fresh slots.
            self._drop_postgres()
            self._loop, self._slots = loop, ConnectionSlots(POSTGRES_CONNECTIONS)
        slots = self._slots
        conn = await slots.take()
        try:
            if conn is not None and conn.is_closed():  # the server ended it while it sat idle
                conn = None
            if conn is None:
                conn = await asyncpg.connect(
                    self._url,
                    timeout=POSTGRES_CONNECT_TIMEOUT_S,
                    command_timeout=POSTGRES_STATEMENT_TIMEOUT_S,
                )
                await conn.execute("SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY")
            rows: list[asyncpg.Record] = await conn.fetch(text, *args)
        except BaseException as exc:  # a failed or cancelled statement: never reuse its connection
            try:
                if conn is not None:
                    _terminate(conn)
            finally:
                slots.give(None)
            if isinstance(exc, POSTGRES_UNAVAILABLE):
                raise _unavailable(exc) from exc
            raise
        slots.give(conn)
        return rows

    def _drop_postgres(self) -> None:
        if self._slots is not None:
            for conn in self._slots.drain():
                _terminate(conn)
        self._slots = None

    async def aclose(self) -> None:
        if self._sqlite is not None:
            self._sqlite.close()
            self._sqlite = None
        self._drop_postgres()
