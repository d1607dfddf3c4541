"""Rate limits shared through Redis (graph/guards/rate_limit/shared.py): one budget for every app, and failing open.

How windows behave (cost, 429, reset, tenants, batches) is tested on Redis
too, in test_limit.py; here is what only Redis brings.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import pytest

from db.reader import Reader
from db.settings import changed
from graph.guards.rate_limit import shared
from graph.settings import Settings
from tests.conftest import GraphQLClient, client_for, free_port
from tests.graph.guards.rate_limit.budget import COSTS_3, COSTS_7, NO_FLOWS, POINTS, cost, limited
from tests.graph.guards.rate_limit.conftest import REDIS_TIMEOUT_MS, REDIS_URL
from tests.graph.observability.test_metrics import sample, scrape

BACKEND_ERRORS = "gateway_rate_limit_backend_errors_total"
SILENT_TIMEOUT_MS = 100
LATENCY_BOUND_SECONDS = 1.0  # SILENT_TIMEOUT_MS and the request itself, on a loaded machine
HANG_SECONDS = 10.0  # a bound for the test itself: a request that waits on Redis would hang


def on_redis(settings: Settings, url: str, prefix: str, timeout_ms: int = REDIS_TIMEOUT_MS) -> Settings:
    """`settings` with the test budget, its windows in the Redis at `url`."""
    return limited(changed(settings, redis_url=url, redis_key_prefix=prefix, redis_timeout_ms=timeout_ms))


@asynccontextmanager
async def graphql_on(settings: Settings, reader: Reader) -> AsyncIterator[GraphQLClient]:
    async with client_for(settings, reader) as http:
        yield GraphQLClient(http, settings)


class Server:
    """A TCP server on a port of its own, that can be stopped and started again on the same port."""

    def __init__(self, handle) -> None:
        self.handle = handle
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.accepted = 0
        self._server: asyncio.Server | None = None
        self._writers: list[asyncio.StreamWriter] = []

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._accept, "127.0.0.1", self.port)

    async def stop(self) -> None:
        """Stop listening and cut every connection."""
        self._server.close()
        for writer in self._writers:
            writer.close()
        await self._server.wait_closed()
        self._writers.clear()

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.accepted += 1
        self._writers.append(writer)
        await self.handle(reader, writer)


async def never_answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    await reader.read()  # until the client hangs up


async def forward_to_redis(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    redis_reader, redis_writer = await asyncio.open_connection("127.0.0.1", 6379)

    async def pipe(source: asyncio.StreamReader, sink: asyncio.StreamWriter) -> None:
        while data := await source.read(65536):
            sink.write(data)
        sink.close()

    await asyncio.gather(pipe(reader, redis_writer), pipe(redis_reader, writer), return_exceptions=True)


@pytest.fixture
async def silent_redis() -> AsyncIterator[Server]:
    """A server that accepts connections and never answers."""
    server = Server(never_answer)
    await server.start()
    yield server
    await server.stop()


@pytest.fixture
async def redis_proxy() -> AsyncIterator[Server]:
    """A proxy to the machine's Redis, to cut off and restore."""
    server = Server(forward_to_redis)
    await server.start()
    yield server
    await server.stop()


async def backend_errors(graphql: GraphQLClient) -> float:
    return sample(await scrape(graphql.http), BACKEND_ERRORS)


# One budget


async def test_apps_on_one_redis_share_each_tenants_points(settings, reader, redis_prefix, tenant):
    budget = on_redis(settings, REDIS_URL, redis_prefix)
    async with graphql_on(budget, reader) as one, graphql_on(budget, reader) as other:
        first = await one.query(COSTS_7, tenant)
        refused = await other.post(COSTS_7, tenant)
        last = await other.query(COSTS_3, tenant)

    resets = first["extensions"]["cost"]["resetAt"]
    assert first == {"data": NO_FLOWS, "extensions": cost(7, POINTS - 7, resets)}
    assert (refused.status_code, refused.json()["extensions"]) == (429, cost(7, POINTS - 7, resets))
    assert last == {"data": NO_FLOWS, "extensions": cost(3, 0, resets)}


# Failing open


async def test_with_redis_refusing_connections_operations_run_unmetered(settings, reader, redis_prefix, tenant):
    async with graphql_on(on_redis(settings, f"redis://127.0.0.1:{free_port()}/0", redis_prefix), reader) as graphql:
        before = await backend_errors(graphql)
        body = await graphql.query(COSTS_7, tenant)
        after = await backend_errors(graphql)

    assert body == {"data": NO_FLOWS, "extensions": cost(7, None, None)}
    assert after - before == 1


async def test_a_redis_that_never_answers_delays_an_operation_by_its_timeout_at_most(settings, reader, redis_prefix, tenant, silent_redis):
    async with graphql_on(on_redis(settings, silent_redis.url, redis_prefix, SILENT_TIMEOUT_MS), reader) as graphql:
        started = time.perf_counter()
        async with asyncio.timeout(HANG_SECONDS):
            body = await graphql.query(COSTS_7, tenant)
        elapsed = time.perf_counter() - started

    assert body == {"data": NO_FLOWS, "extensions": cost(7, None, None)}
    assert SILENT_TIMEOUT_MS / 1000 <= elapsed < LATENCY_BOUND_SECONDS


async def test_after_a_failure_redis_is_left_alone_for_a_while(settings, reader, redis_prefix, tenant, silent_redis):
    async with graphql_on(on_redis(settings, silent_redis.url, redis_prefix, SILENT_TIMEOUT_MS), reader) as graphql:
        before = await backend_errors(graphql)
        async with asyncio.timeout(HANG_SECONDS):
            bodies = [await graphql.query(COSTS_3, tenant) for _ in range(3)]
        after = await backend_errors(graphql)

    assert bodies == [{"data": NO_FLOWS, "extensions": cost(3, None, None)}] * 3
    assert (after - before, silent_redis.accepted) == (1, 1)


async def test_an_outage_logs_one_warning_however_many_operations_it_lets_through(settings, reader, redis_prefix, tenant, monkeypatch, caplog):
    monkeypatch.setattr(shared, "BACKOFF_SECONDS", 0.0)  # every operation tries Redis, and fails
    async with graphql_on(on_redis(settings, f"redis://127.0.0.1:{free_port()}/0", redis_prefix), reader) as graphql:
        before = await backend_errors(graphql)
        with caplog.at_level(logging.INFO, logger="flowgate.rate_limit"):
            for _ in range(3):
                await graphql.query(COSTS_3, tenant)
        after = await backend_errors(graphql)

    [warning] = [record for record in caplog.records if record.name == "flowgate.rate_limit"]
    assert warning.levelname == "WARNING"
    assert warning.getMessage().startswith("Redis failed (ConnectionError: ")
    assert after - before == 3


async def test_once_redis_answers_again_operations_are_charged_again(settings, reader, redis_prefix, tenant, redis_proxy, monkeypatch, caplog):
    monkeypatch.setattr(shared, "BACKOFF_SECONDS", 0.0)
    async with graphql_on(on_redis(settings, redis_proxy.url, redis_prefix), reader) as graphql:
        with caplog.at_level(logging.INFO, logger="flowgate.rate_limit"):
            metered = await graphql.query(COSTS_3, tenant)
            await redis_proxy.stop()
            unmetered = await graphql.query(COSTS_3, tenant)
            await redis_proxy.start()
            again = await graphql.query(COSTS_3, tenant)

    assert [body["extensions"]["cost"]["remaining"] for body in (metered, unmetered, again)] == [POINTS - 3, None, POINTS - 6]
    logged = [(record.levelname, record.getMessage().split(" (")[0]) for record in caplog.records if record.name == "flowgate.rate_limit"]
    assert logged == [("WARNING", "Redis failed"), ("INFO", "Redis answers again: operations are charged to their rate limits again.")]
