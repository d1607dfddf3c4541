"""The gateway's read path: every statement is read-only, bounded by a statement timeout, and names its schema.

Each test runs with `DB_POOLER=none` (the settings ride on the connection)
and `DB_POOLER=pgbouncer` (they ride on each statement's transaction), both
straight to PostgreSQL; `test_pgbouncer.py` puts the real pooler in between.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import asyncpg
import pytest
from sqlalchemy import func, insert, literal_column, select

from db.reader import CompiledQuery, Reader
from db.seed.rows import master_flow_row
from db.settings import changed
from db.tables import data_imports, master_flows
from tests.bench.servers import eventually

WRITE = CompiledQuery(insert(data_imports).values(client_account_id=func.gen_random_uuid()).returning(data_imports.c.id))
SLEEP = CompiledQuery(select(func.pg_sleep(literal_column("2"))))
FLOW_NAMES = CompiledQuery(select(master_flows.c.flow_name))
SEARCH_PATH = CompiledQuery(select(func.current_setting(literal_column("'search_path'"))))


@pytest.fixture(params=["none", "pgbouncer"])
async def pooled(request, settings) -> AsyncIterator[Reader]:
    """A reader with `DB_POOLER` set to the parameter and a 200 ms statement timeout."""
    reader = await Reader.connect(changed(settings.database, pooler=request.param, statement_timeout_ms=200))
    yield reader
    await reader.close()


async def test_a_statement_that_writes_is_refused(pooled):
    with pytest.raises(asyncpg.exceptions.ReadOnlySQLTransactionError):
        await pooled.fetch(WRITE)


async def test_a_statement_past_the_timeout_is_cancelled(pooled):
    with pytest.raises(asyncpg.exceptions.QueryCanceledError):
        await pooled.fetch(SLEEP)


async def test_a_connection_serves_again_after_a_failed_statement(pooled, db, tenant):
    await db.insert(master_flows, [master_flow_row(tenant, flow_name="after the failure")])
    with pytest.raises(asyncpg.exceptions.ReadOnlySQLTransactionError):
        await pooled.fetch(WRITE)

    assert [row["flow_name"] for row in await pooled.fetch(FLOW_NAMES)] == ["after the failure"]


async def test_tables_are_found_by_their_schema_not_the_search_path(pooled, db, tenant):
    await db.insert(master_flows, [master_flow_row(tenant, flow_name="qualified")])

    search_path = await pooled.fetchval(SEARCH_PATH)
    names = [row["flow_name"] for row in await pooled.fetch(FLOW_NAMES)]

    assert pooled.schema not in search_path
    assert names == ["qualified"]


async def test_a_pooled_connection_names_the_gateway_process(pooled):
    async with pooled.pool.acquire() as connection:
        application = await connection.fetchval("SELECT current_setting('application_name')")

    assert application.startswith("flowgate:")


BACKEND = CompiledQuery(select(func.pg_backend_pid()))


def _in_use(reader: Reader) -> int:
    return reader.pool.get_size() - reader.pool.get_idle_size()


async def _taken_back(reader: Reader) -> bool:
    return _in_use(reader) == 0


async def test_a_requests_statements_share_one_connection_given_back_at_its_end(pooled):
    async with pooled.for_request() as request_reader:
        backends = [await request_reader.fetchval(BACKEND) for _ in range(3)]
        held_between_statements = _in_use(pooled)

    assert len(set(backends)) == 1
    assert (held_between_statements, _in_use(pooled)) == (1, 0)


async def test_a_statement_still_running_at_the_requests_end_keeps_the_connection_until_it_ends(pooled):
    async with pooled.for_request() as request_reader:
        statement = asyncio.ensure_future(request_reader.fetch(SLEEP))  # a loader's batch runs in a task of its own
        await asyncio.sleep(0.05)

    held_after_the_end = _in_use(pooled)
    with pytest.raises(asyncpg.exceptions.QueryCanceledError):
        await statement

    assert (held_after_the_end, _in_use(pooled)) == (1, 0)
    assert await pooled.fetchval(BACKEND) is not None


async def test_a_requests_connection_the_server_ended_between_statements_is_replaced(pooled, db):
    async with pooled.for_request() as request_reader:
        ended = await request_reader.fetchval(BACKEND)
        await db.execute("SELECT pg_terminate_backend(:pid)", pid=ended)
        await eventually(lambda: _taken_back(pooled), within=2.0)  # its socket ends, and the pool takes it back
        replacement = await request_reader.fetchval(BACKEND)

    assert replacement not in (None, ended)
    assert _in_use(pooled) == 0
