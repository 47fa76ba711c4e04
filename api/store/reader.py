"""The hot read path: raw DB-API connections held for the worker's life, used from the event loop.

Measured on the benchmark mirror, SQLAlchemy's per-statement work (building, caching, execution
context, pool checkout and reset) cost more than the queries themselves. Player balance and
history are the API's hot routes, so they run hand-written single statements here. Each statement
reads the mirror's head beside its rows, so both come from one snapshot without a transaction.

SQLite answers from memory in tens of microseconds: one connection, called inline. PostgreSQL
answers over a socket: a few asynchronous connections, so the worker serves other requests while
the server works.
"""

from __future__ import annotations

import asyncio
import re
from dataclasses import dataclass
from typing import Any

import psycopg
from sqlalchemy import Engine

from api.errors import NotReady

_NAMED = re.compile(r"(?<![:\w]):([a-z_]\w*)")  # `:name` parameters, not the `::` cast

# The mirror's head, read beside the rows of each hot statement. Scalar subqueries, not a join:
# on PostgreSQL the join to the one-row tables cost twice the rest of the history statement.
HEAD_COLUMNS = ", ".join(
    [f"(SELECT {column} FROM indexer_cursor)" for column in
     ("chain_id", "contract", "last_block", "last_block_hash", "finalized_block")]
    + ["(SELECT chain_block FROM indexer_status)"]
)  # fmt: skip
SQLITE_MMAP_BYTES = 2**30
SQLITE_CACHE_KIB = 65_536
POSTGRES_CONNECTIONS = 4


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


def head_of(values: tuple[Any, ...] | list[Any]) -> Head:
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


def _unavailable(exc: Exception) -> NotReady:
    return NotReady(f"the mirror database cannot answer now: {type(exc).__name__}")


class Reader:
    """Read-only statements written with `:name` parameters, on connections held open."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.postgres = engine.dialect.name == "postgresql"
        self._sqlite: Any = None
        self._slots: asyncio.Queue[psycopg.AsyncConnection[Any] | None] | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._url = engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
        self._sql: dict[str, str] = {}

    def amount(self, column: str) -> str:
        """A uint256 column as decimal text (SQLite stores zero-padded text already)."""
        return f"{column}::text" if self.postgres else column

    def _text(self, sql: str) -> str:
        text = self._sql.get(sql)
        if text is None:
            text = self._sql[sql] = _NAMED.sub(r"%(\1)s", sql) if self.postgres else sql
        return text

    async def rows(self, sql: str, params: dict[str, Any]) -> list[tuple[Any, ...]]:
        """All rows of one statement; `NotReady` (503) when the database cannot answer."""
        if self.postgres:
            return await self._postgres_rows(self._text(sql), params)
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

    async def _postgres_rows(self, text: str, params: dict[str, Any]) -> list[tuple[Any, ...]]:
        loop = asyncio.get_running_loop()
        if self._slots is None or self._loop is not loop:
            # Async connections belong to the loop that opened them (one per worker in service;
            # tests run several loops): a new loop starts with fresh slots.
            self._drop_postgres()
            self._loop, self._slots = loop, asyncio.Queue()
            for _ in range(POSTGRES_CONNECTIONS):
                self._slots.put_nowait(None)
        conn = await self._slots.get()
        try:
            if conn is None:
                conn = await psycopg.AsyncConnection.connect(self._url, autocommit=True)
                await conn.execute("SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY")
            cursor = await conn.execute(text, params)
            rows = await cursor.fetchall()
        except BaseException as exc:  # a failed or cancelled statement: never reuse its connection
            if conn is not None:
                conn.pgconn.finish()
            self._slots.put_nowait(None)
            if isinstance(exc, psycopg.Error):
                raise _unavailable(exc) from exc
            raise
        self._slots.put_nowait(conn)
        return rows

    def _drop_postgres(self) -> None:
        while self._slots is not None and not self._slots.empty():
            conn = self._slots.get_nowait()
            if conn is not None:
                conn.pgconn.finish()
        self._slots = None

    async def aclose(self) -> None:
        if self._sqlite is not None:
            self._sqlite.close()
            self._sqlite = None
        self._drop_postgres()
