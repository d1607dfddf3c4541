"""The gateway's read path: SQLAlchemy Core statements, compiled once, run on asyncpg.

SQLAlchemy builds every query (no SQL strings in the query modules) and
compiles each query shape once into asyncpg's native `$n` SQL; the reader
runs it on an asyncpg pool with a prepared-statement cache.  That keeps a
statement's client-side cost close to raw asyncpg (about a quarter of what
a round trip through SQLAlchemy's async engine costs).

Every pooled connection is read-only (`default_transaction_read_only`), has
a statement timeout, resolves the schema-less table names through
`search_path = DB_SCHEMA`, and names its process in `application_name`
(`flowgate:<pid>`).

Every wait is bounded, so a database that is down, overloaded or gone
mid-query fails fast instead of hanging: a statement waits at most
`DB_POOL_TIMEOUT_MS` for a connection (opening one included, at most
`DB_CONNECT_TIMEOUT_MS`), then raises `TimeoutError`.  Connections are not
pinged before use: asyncpg notices a connection the server closed (its
socket ends) and the pool opens a new one in its place on the next acquire,
so the reader recovers as soon as the database accepts connections again.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Callable, Sequence
from contextlib import suppress
from typing import Any

import asyncpg
from sqlalchemy.dialects.postgresql.asyncpg import dialect as asyncpg_dialect
from sqlalchemy.sql import ClauseElement

from db.engine import database_url, plain_url
from db.instrumentation import SQL_STATEMENTS, statement_span
from db.settings import DatabaseSettings

__all__ = ["CompiledQuery", "Reader"]

_DIALECT = asyncpg_dialect()


class CompiledQuery:
    """A statement compiled once to SQL text and the order of its named parameters."""

    def __init__(self, statement: ClauseElement) -> None:
        compiled = statement.compile(dialect=_DIALECT)
        self.sql = str(compiled)
        self.parameter_names: tuple[str, ...] = tuple(getattr(compiled, "positiontup", None) or ())

    def arguments(self, parameters: dict[str, Any]) -> list[Any]:
        return [parameters[name] for name in self.parameter_names]


async def _keep_session(connection: asyncpg.Connection) -> None:
    """Skip asyncpg's reset round trip on release: the gateway never changes session state."""


class Reader:
    """Runs compiled queries on a pool of read-only connections.

    `observers` are called once per statement sent: by default the
    `gateway_sql_statements` counter; tests add their own counts.
    `acquire_timeout` is in seconds.
    """

    def __init__(self, pool: asyncpg.Pool, *, acquire_timeout: float, observers: Sequence[Callable[[], None]] = (SQL_STATEMENTS.inc,)) -> None:
        self.pool = pool
        self.acquire_timeout = acquire_timeout
        self.observers: list[Callable[[], None]] = list(observers)

    @classmethod
    async def connect(cls, settings: DatabaseSettings) -> Reader:
        """A reader whose pool opens connections lazily, so it starts even while the database is down."""
        pool = asyncpg.create_pool(
            plain_url(database_url(settings)),
            min_size=0,
            max_size=settings.pool_size,
            timeout=settings.connect_timeout_ms / 1000,
            reset=_keep_session,
            server_settings={
                "default_transaction_read_only": "on",
                "statement_timeout": str(settings.statement_timeout_ms),
                "search_path": settings.schema_name,
                "application_name": f"flowgate:{os.getpid()}",
            },
        )
        await pool
        return cls(pool, acquire_timeout=settings.pool_timeout_ms / 1000)

    def _observe(self) -> None:
        for observer in self.observers:
            observer()

    def _acquire(self) -> Any:
        """A pooled connection's context manager: at once when one is idle, else waiting at most `acquire_timeout`.

        An idle connection is one in the pool's queue, so taking it cannot wait;
        skipping the timeout then skips the task asyncpg creates to enforce it.
        """
        return self.pool.acquire(timeout=None if self.pool.get_idle_size() else self.acquire_timeout)

    async def fetch(self, query: CompiledQuery, **parameters: Any) -> Sequence[asyncpg.Record]:
        """The rows of `query` run with `parameters` (by name)."""
        self._observe()
        with statement_span(query.sql):
            async with self._acquire() as connection:
                return await connection.fetch(query.sql, *query.arguments(parameters))

    async def fetchval(self, query: CompiledQuery, **parameters: Any) -> Any:
        """The first column of the first row of `query`."""
        self._observe()
        with statement_span(query.sql):
            async with self._acquire() as connection:
                return await connection.fetchval(query.sql, *query.arguments(parameters))

    def connection(self) -> Any:
        """A pooled connection's context manager, for catalog checks: its statements are not the gateway's, nor counted."""
        return self.pool.acquire(timeout=self.acquire_timeout)

    async def close(self) -> None:
        """Close the pool once its connections are released; past `acquire_timeout`, terminate them."""
        with suppress(TimeoutError):
            async with asyncio.timeout(self.acquire_timeout):
                await self.pool.close()  # which terminates the connections when cancelled
