"""The gateway's read path: SQLAlchemy Core statements, compiled once, run on asyncpg.

SQLAlchemy builds every query (no SQL strings in the query modules) and
compiles each query shape once into asyncpg's native `$n` SQL; the reader
runs it on an asyncpg pool with a prepared-statement cache.  That keeps a
statement's client-side cost close to raw asyncpg (about a quarter of what
a round trip through SQLAlchemy's async engine costs).

Every pooled connection is read-only (`default_transaction_read_only`), has
a statement timeout, and resolves the schema-less table names through
`search_path = DB_SCHEMA`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import asyncpg
from sqlalchemy.dialects.postgresql.asyncpg import dialect as asyncpg_dialect
from sqlalchemy.sql import ClauseElement

from db.engine import database_url, plain_url
from db.instrumentation import SQL_STATEMENTS
from db.settings import DatabaseSettings

__all__ = ["CompiledQuery", "Reader"]

_DIALECT = asyncpg_dialect()


class CompiledQuery:
    """A statement compiled once to SQL text and the order of its named parameters."""

    def __init__(self, statement: ClauseElement) -> None:
        compiled = statement.compile(dialect=_DIALECT)
        self.sql = str(compiled)
        self.parameter_names: tuple[str, ...] = tuple(compiled.positiontup or ())

    def arguments(self, parameters: dict[str, Any]) -> list[Any]:
        return [parameters[name] for name in self.parameter_names]


async def _keep_session(connection: asyncpg.Connection) -> None:
    """Skip asyncpg's reset round trip on release: the gateway never changes session state."""


class Reader:
    """Runs compiled queries on a pool of read-only connections.

    `observers` are called once per statement sent (metrics and tests count
    statements with them).
    """

    def __init__(self, pool: asyncpg.Pool) -> None:
        self.pool = pool
        self.observers: list[Callable[[], None]] = [SQL_STATEMENTS.inc]

    @classmethod
    async def connect(cls, settings: DatabaseSettings, *, timeout: float = 10.0) -> Reader:
        """A reader whose pool opens connections lazily, so it starts even while the database is down."""
        pool = asyncpg.create_pool(
            plain_url(database_url(settings)),
            min_size=0,
            max_size=settings.pool_size,
            timeout=timeout,
            reset=_keep_session,
            server_settings={
                "default_transaction_read_only": "on",
                "statement_timeout": str(settings.statement_timeout_ms),
                "search_path": settings.schema,
                "application_name": "flowgate",
            },
        )
        await pool
        return cls(pool)

    def _observe(self) -> None:
        for observer in self.observers:
            observer()

    async def fetch(self, query: CompiledQuery, **parameters: Any) -> Sequence[asyncpg.Record]:
        """The rows of `query` run with `parameters` (by name)."""
        self._observe()
        return await self.pool.fetch(query.sql, *query.arguments(parameters))

    async def fetchval(self, query: CompiledQuery, **parameters: Any) -> Any:
        """The first column of the first row of `query`."""
        self._observe()
        return await self.pool.fetchval(query.sql, *query.arguments(parameters))

    async def ping(self) -> None:
        """Raise unless the database answers a trivial query."""
        await self.pool.fetchval("SELECT 1")

    async def close(self) -> None:
        await self.pool.close()
