"""The gateway's read path: SQLAlchemy Core statements, compiled once, run on asyncpg.

SQLAlchemy builds every query (no SQL strings in the query modules) and
compiles each query shape once per schema into asyncpg's native `$n` SQL,
with every table qualified by `DB_SCHEMA`; the reader runs it on an asyncpg
pool.  That keeps a statement's client-side cost close to raw asyncpg (about
a quarter of what a round trip through SQLAlchemy's async engine costs).

Every statement is read-only and bounded by `DB_STATEMENT_TIMEOUT_MS`, and
every connection names its process in `application_name` (`flowgate:<pid>`).
How depends on `DB_POOLER`:

- `none`: the connection's startup parameters set
  `default_transaction_read_only` and `statement_timeout` once, and prepared
  statements are cached per connection.  One round trip per statement.
- `pgbouncer`: a pooler in transaction mode hands each transaction to any
  server connection, and refuses those startup parameters.  Each statement
  then runs in its own `BEGIN READ ONLY` transaction with `SET LOCAL
  statement_timeout`, and only unnamed prepared statements are used, which
  live within that transaction.  Four round trips per statement (begin,
  prepare, execute, commit).

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
import copy
import os
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager, suppress
from typing import Any, cast

import asyncpg
from sqlalchemy.dialects.postgresql.asyncpg import dialect as asyncpg_dialect
from sqlalchemy.sql import ClauseElement

from db.engine import database_url, plain_url
from db.instrumentation import SQL_STATEMENTS, statement_span
from db.settings import DatabaseSettings

__all__ = ["CompiledQuery", "Reader"]

_DIALECT = asyncpg_dialect()


class CompiledQuery:
    """A statement, its SQL text per schema (compiled once each), and the order of its named parameters.

    Tables declared without a schema (all of `db.tables`) are qualified with
    the schema asked for, so the SQL depends on no `search_path`.
    """

    def __init__(self, statement: ClauseElement) -> None:
        self._statement = statement
        self._sql: dict[str, str] = {}
        compiled = statement.compile(dialect=_DIALECT)
        self.parameter_names: tuple[str, ...] = tuple(getattr(compiled, "positiontup", None) or ())

    def sql(self, schema: str) -> str:
        """The SQL text with every schema-less table in `schema`."""
        text = self._sql.get(schema)
        if text is None:
            compiled = self._statement.compile(dialect=_DIALECT, schema_translate_map={None: schema}, render_schema_translate=True)
            text = self._sql[schema] = str(compiled)
        return text

    def arguments(self, parameters: dict[str, Any]) -> list[Any]:
        return [parameters[name] for name in self.parameter_names]


async def _keep_session(connection: asyncpg.Connection) -> None:
    """Skip asyncpg's reset round trip on release: the gateway never changes session state."""


class _ReadOnlyTransaction:
    """`BEGIN READ ONLY` with a statement timeout around one statement, for connections through a pooler.

    The transaction's first round trip sets both; a failed statement rolls it
    back (asyncpg closes a connection that cannot), a finished one commits.
    """

    def __init__(self, statement_timeout_ms: int) -> None:
        self.begin = f"BEGIN READ ONLY; SET LOCAL statement_timeout = {int(statement_timeout_ms)}"

    async def fetch(self, connection: asyncpg.Connection, sql: str, arguments: list[Any]) -> Any:
        await connection.execute(self.begin)
        try:
            rows = await connection.fetch(sql, *arguments)
        except BaseException:
            if not connection.is_closed():
                with suppress(asyncpg.PostgresError, asyncpg.InterfaceError, OSError):
                    await connection.execute("ROLLBACK")
            raise
        await connection.execute("COMMIT")
        return rows


def _pool_options(settings: DatabaseSettings) -> dict[str, Any]:
    """How the pool's connections are made read-only and bounded, by `DB_POOLER` (see the module docstring)."""
    application = {"application_name": f"flowgate:{os.getpid()}"}
    if settings.pooler == "pgbouncer":
        return {"server_settings": application, "statement_cache_size": 0}
    return {
        "server_settings": {
            "default_transaction_read_only": "on",
            "statement_timeout": str(settings.statement_timeout_ms),
            **application,
        }
    }


def _open(connection: asyncpg.Connection) -> bool:
    """Whether a pooled connection still serves: neither closed nor taken back by the pool (as it does one the server ended)."""
    try:
        return not connection.is_closed()
    except asyncpg.InterfaceError:  # detached: the pool took back the connection when its socket ended
        return False


class _SharedConnection:
    """One request's statements, one at a time, on one pooled connection: taken at the first, given back at the request's end.

    Taking a pooled connection and giving it back cost asyncpg a task and a
    timeout (some 25 µs, as much as the rest of a statement's client side);
    a flow detail's four statements pay that once.  One statement at a time:
    a request never holds two connections, so never waits for a second while
    holding one.  A connection the server closed is replaced at the next
    statement, as the pool would.

    A statement can outlive its request: loaders batch in tasks of their own,
    which a request timeout does not cancel.  The connection then goes back
    to the pool when that statement ends, never while it runs, and a statement
    started after the request's end takes a connection for itself alone.
    """

    def __init__(self, reader: Reader) -> None:
        self._reader = reader
        self._lock = asyncio.Lock()
        self._held: asyncpg.Connection | None = None
        self._ended = False

    @asynccontextmanager
    async def use(self) -> AsyncIterator[asyncpg.Connection]:
        async with self._lock:
            if self._held is not None and not _open(self._held):
                await self._release()
            if self._held is None:
                self._held = await self._reader._acquire()
            try:
                yield self._held
            finally:
                if self._ended:
                    await self._release()

    async def end(self) -> None:
        """The request has ended: give the connection back now, or as its running statement ends."""
        self._ended = True
        if not self._lock.locked():
            await self._release()

    async def _release(self) -> None:
        held, self._held = self._held, None
        if held is not None:
            # The server may end the connection after `release` checked it and before its task ran: the
            # pool has then taken it back already, and says so with InternalClientError.
            with suppress(asyncpg.InternalClientError):
                await self._reader.pool.release(held)


class Reader:
    """Runs compiled queries, in `schema`, on a pool of read-only connections.

    `observers` are called once per statement sent: by default the
    `gateway_sql_statements` counter; tests add their own counts.
    `acquire_timeout` is in seconds.  `transaction`, when given, wraps each
    statement (`DB_POOLER=pgbouncer`).
    """

    def __init__(
        self,
        pool: asyncpg.Pool,
        *,
        schema: str,
        acquire_timeout: float,
        transaction: _ReadOnlyTransaction | None = None,
        observers: Sequence[Callable[[], None]] = (SQL_STATEMENTS.inc,),
    ) -> None:
        self.pool = pool
        self.schema = schema
        self.acquire_timeout = acquire_timeout
        self.transaction = transaction
        self.observers: list[Callable[[], None]] = list(observers)
        self._shared: _SharedConnection | None = None

    @classmethod
    async def connect(cls, settings: DatabaseSettings) -> Reader:
        """A reader whose pool opens connections lazily, so it starts even while the database is down."""
        pool = asyncpg.create_pool(
            plain_url(database_url(settings)),
            min_size=0,
            max_size=settings.pool_size,
            timeout=settings.connect_timeout_ms / 1000,
            reset=_keep_session,
            # No idle timer: asyncpg arms one at every release and cancels it at the next acquire,
            # two timer operations per statement, to close connections idle for minutes, which
            # the gateway's small pool can keep.
            max_inactive_connection_lifetime=0,
            **_pool_options(settings),
        )
        await pool
        transaction = _ReadOnlyTransaction(settings.statement_timeout_ms) if settings.pooler == "pgbouncer" else None
        return cls(pool, schema=settings.schema_name, acquire_timeout=settings.pool_timeout_ms / 1000, transaction=transaction)

    def _observe(self) -> None:
        for observer in self.observers:
            observer()

    def _acquire(self) -> Any:
        """A pooled connection's context manager: at once when one is idle, else waiting at most `acquire_timeout`.

        An idle connection is one in the pool's queue, so taking it cannot wait;
        skipping the timeout then skips the task asyncpg creates to enforce it.
        """
        return self.pool.acquire(timeout=None if self.pool.get_idle_size() else self.acquire_timeout)

    def _connection(self) -> AbstractAsyncContextManager[asyncpg.Connection]:
        """The connection a statement runs on, for the statement: the request's (`for_request`), or a pooled one."""
        if self._shared is not None:
            return self._shared.use()
        return cast(AbstractAsyncContextManager[asyncpg.Connection], self._acquire())

    async def fetch(self, query: CompiledQuery, **parameters: Any) -> Sequence[asyncpg.Record]:
        """The rows of `query` run with `parameters` (by name)."""
        self._observe()
        sql = query.sql(self.schema)
        with statement_span(sql):
            async with self._connection() as connection:
                if self.transaction is not None:
                    return await self.transaction.fetch(connection, sql, query.arguments(parameters))
                return await connection.fetch(sql, *query.arguments(parameters))

    @asynccontextmanager
    async def for_request(self) -> AsyncIterator[Reader]:
        """This reader for one request: its statements share one pooled connection (`_SharedConnection`), given back as the block ends."""
        reader = copy.copy(self)
        reader._shared = shared = _SharedConnection(self)
        try:
            yield reader
        finally:
            await shared.end()

    async def fetchval(self, query: CompiledQuery, **parameters: Any) -> Any:
        """The first column of the first row of `query` (None without a row)."""
        rows = await self.fetch(query, **parameters)
        return rows[0][0] if rows else None

    @asynccontextmanager
    async def connection(self) -> AsyncIterator[asyncpg.Connection]:
        """A pooled connection in a read-only transaction, for catalog checks: its statements are not the gateway's, nor counted.

        The transaction keeps the connection's statements on one server connection behind a pooler.
        """
        async with self.pool.acquire(timeout=self.acquire_timeout) as connection, connection.transaction(readonly=True):
            yield connection

    async def close(self) -> None:
        """Close the pool once its connections are released; past `acquire_timeout`, terminate them."""
        with suppress(TimeoutError):
            async with asyncio.timeout(self.acquire_timeout):
                await self.pool.close()  # which terminates the connections when cancelled
