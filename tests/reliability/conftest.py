"""Fixtures of the reliability tests: a PostgreSQL cluster of their own, which they stop, start and crash.

The cluster is created once per session, migrated and seeded with the
benchmark tenant; every test starts with it running.  The suite's shared
database is never touched here.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from contextlib import suppress

import asyncpg
import pytest

from db.migrate import migrate
from db.seed.bench import BENCH_TENANT, seed_bench
from db.settings import DatabaseSettings
from graph.guards.auth import issue_token
from graph.settings import Settings
from tests.reliability.postgres import TemporaryPostgres

SCHEMA = "flowgate_reliability"
BENCH_FLOWS = 40
BENCH_RECORDS = 500
FLOW = "query ($flowId: UUID!) { masterFlow(flowId: $flowId) { name } }"
"""A cheap query: one statement, whichever flow ID it is given."""


@pytest.fixture(scope="session")
def postgres() -> Iterator[TemporaryPostgres]:
    server = TemporaryPostgres()
    try:
        yield server
    finally:
        server.remove()


@pytest.fixture(scope="session")
async def database(postgres: TemporaryPostgres) -> DatabaseSettings:
    """The cluster's settings, with the bench tenant's BENCH_FLOWS flows of BENCH_RECORDS records each."""
    settings = DatabaseSettings(url=postgres.url, schema_name=SCHEMA)
    await asyncio.to_thread(migrate, settings)
    await seed_bench(settings, flows=BENCH_FLOWS, records=BENCH_RECORDS)
    return settings


@pytest.fixture(autouse=True)
def empty_tables(postgres: TemporaryPostgres) -> None:
    """Replaces the suite's truncation: tests here read the seeded tenant, and each starts with the cluster up."""
    postgres.start()


@pytest.fixture
async def admin(postgres: TemporaryPostgres) -> AsyncIterator[asyncpg.Connection]:
    """A superuser session on the cluster."""
    connection = await asyncpg.connect(postgres.url)
    yield connection
    with suppress(OSError, asyncpg.PostgresError, asyncpg.InterfaceError):
        await connection.close(timeout=2)


@pytest.fixture(scope="session")
def token() -> str:
    """A bearer token of the bench tenant, valid in served gateways (development secret)."""
    return issue_token(Settings(), BENCH_TENANT)
