"""Every way the database can fail a request ends as SERVICE_UNAVAILABLE, in bounded time, with no driver text.

Each test builds the failure for real on the tests' own cluster (stopped,
silent, busy, locked, terminated or crashed) and asserts the whole
response of the ASGI app.
"""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import socket
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from typing import Any

from db.reader import Reader
from db.seed.bench import BENCH_TENANT
from db.settings import DatabaseSettings, changed
from graph.settings import Settings
from tests.conftest import GraphQLClient, client_for
from tests.reliability.conftest import FLOW
from tests.reliability.gateway import blocked_backend, locked_flows
from tests.reliability.postgres import TemporaryPostgres

UNAVAILABLE = "The database is unavailable; try again shortly."
SHORT_MS = 300  # the timeout each test sets to trip
SLACK_SECONDS = 1.0  # how much later than its timeout a request may end, on a busy machine


@asynccontextmanager
async def in_process(database: DatabaseSettings, **settings: Any) -> AsyncIterator[tuple[GraphQLClient, Reader]]:
    """The ASGI app over a new reader of `database`; `settings` override its database settings or the gateway's."""
    database_fields = {name: settings.pop(name) for name in list(settings) if hasattr(database, name)}
    gateway_settings = Settings(database=changed(database, **database_fields), **settings)
    reader = await Reader.connect(gateway_settings.database)
    try:
        async with client_for(gateway_settings, reader) as http:
            yield GraphQLClient(http, gateway_settings), reader
    finally:
        await reader.close()


async def timed_flow_query(client: GraphQLClient) -> tuple[dict[str, Any], float]:
    """The body of a one-statement query and the seconds it took; the HTTP status must be 200."""
    started = time.monotonic()
    body = await client.query(FLOW, BENCH_TENANT, {"flowId": str(uuid.uuid4())})
    return body, time.monotonic() - started


def unavailable(body: dict[str, Any]) -> dict[str, Any]:
    """The response `body` must equal when the flow query's statement failed with the database unavailable."""
    error = body["errors"][0] if body.get("errors") else {}
    return {
        "data": {"masterFlow": None},
        "errors": [
            {
                "message": UNAVAILABLE,
                "extensions": {"code": "SERVICE_UNAVAILABLE", "requestId": error.get("extensions", {}).get("requestId")},
                "locations": [{"line": 1, "column": 26}],
                "path": ["masterFlow"],
            }
        ],
    }


@contextmanager
def silent_listener() -> Iterator[int]:
    """A TCP port that accepts connections and never says a word; yields the port."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        yield listener.getsockname()[1]


async def test_a_stopped_database_is_service_unavailable_at_once(database, postgres: TemporaryPostgres):
    postgres.stop()
    async with in_process(database) as (client, _):
        body, seconds = await timed_flow_query(client)

    assert body == unavailable(body)
    assert seconds < SLACK_SECONDS


async def test_an_unavailable_database_is_logged_in_one_line_under_the_request_id(database, postgres: TemporaryPostgres, caplog):
    postgres.stop()
    async with in_process(database) as (client, _):
        with caplog.at_level(logging.WARNING, logger="flowgate"):
            body, _ = await timed_flow_query(client)

    request_id = body["errors"][0]["extensions"]["requestId"]
    [record] = [record for record in caplog.records if request_id in record.getMessage()]
    assert record.levelno == logging.WARNING
    assert record.getMessage().startswith(f"request {request_id}: SERVICE_UNAVAILABLE (FileNotFoundError: ")
    assert record.exc_info is None


async def test_a_database_that_never_answers_is_service_unavailable_after_the_connect_timeout(database):
    with silent_listener() as port:
        silent = changed(database, url=f"postgresql://postgres@127.0.0.1:{port}/postgres")
        async with in_process(silent, connect_timeout_ms=SHORT_MS, pool_timeout_ms=10_000) as (client, _):
            body, seconds = await timed_flow_query(client)

    assert body == unavailable(body)
    assert SHORT_MS / 1000 <= seconds < SHORT_MS / 1000 + SLACK_SECONDS


async def test_an_exhausted_pool_is_service_unavailable_after_the_pool_timeout(database):
    async with in_process(database, pool_size=1, pool_timeout_ms=SHORT_MS) as (client, reader):
        async with reader.pool.acquire():
            body, seconds = await timed_flow_query(client)
        after, _ = await timed_flow_query(client)

    assert body == unavailable(body)
    assert SHORT_MS / 1000 <= seconds < SHORT_MS / 1000 + SLACK_SECONDS
    assert after == {"data": {"masterFlow": None}}


async def test_the_statement_timeout_is_service_unavailable(database, admin):
    async with in_process(database, statement_timeout_ms=SHORT_MS) as (client, _), locked_flows(admin, database):
        body, seconds = await timed_flow_query(client)

    assert body == unavailable(body)
    assert SHORT_MS / 1000 <= seconds < SHORT_MS / 1000 + SLACK_SECONDS


async def test_a_session_terminated_mid_query_is_service_unavailable(database, admin):
    async with in_process(database) as (client, _):
        async with locked_flows(admin, database):
            query = asyncio.create_task(timed_flow_query(client))
            await admin.execute("SELECT pg_terminate_backend($1)", await blocked_backend(admin, [os.getpid()]))
            body, seconds = await query
        after, _ = await timed_flow_query(client)

    assert body == unavailable(body)
    assert seconds < SLACK_SECONDS * 5
    assert after == {"data": {"masterFlow": None}}


async def test_a_connection_reset_mid_query_is_service_unavailable(database, admin, postgres: TemporaryPostgres):
    async with in_process(database) as (client, _):
        async with locked_flows(admin, database):
            query = asyncio.create_task(timed_flow_query(client))
            os.kill(await blocked_backend(admin, [os.getpid()]), signal.SIGKILL)  # the server restarts all sessions
            body, seconds = await query
        await asyncio.to_thread(postgres.start)  # wait out crash recovery
        after, _ = await timed_flow_query(client)

    assert body == unavailable(body)
    assert seconds < SLACK_SECONDS * 5
    assert after == {"data": {"masterFlow": None}}


async def test_the_request_timeout_stops_a_request_and_frees_its_connection(database, admin):
    async with in_process(database, pool_size=1, request_timeout_ms=SHORT_MS) as (client, _):
        async with locked_flows(admin, database):
            body, seconds = await timed_flow_query(client)
        after, _ = await timed_flow_query(client)

    assert body == {
        "data": None,
        "errors": [
            {
                "message": f"The request did not finish within {SHORT_MS} ms; try again shortly.",
                "extensions": {"code": "SERVICE_UNAVAILABLE", "requestId": body["errors"][0]["extensions"]["requestId"]},
            }
        ],
    }
    assert SHORT_MS / 1000 <= seconds < SHORT_MS / 1000 + SLACK_SECONDS
    assert after == {"data": {"masterFlow": None}}


async def test_readiness_fails_while_the_database_is_down_and_health_does_not(database, postgres: TemporaryPostgres):
    async with in_process(database) as (client, _):
        postgres.stop()
        down = [(await client.http.get(path)).status_code for path in ("/healthz", "/readyz")]
        await asyncio.to_thread(postgres.start)
        up = [(await client.http.get(path)).status_code for path in ("/healthz", "/readyz")]

    assert down == [200, 503]
    assert up == [200, 200]
