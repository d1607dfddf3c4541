"""Graceful shutdown: on SIGTERM in-flight requests finish, WebSockets close with 1012, and the pool closes."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import uuid

import httpx
import pytest
import websockets

from db.seed.bench import BENCH_TENANT
from db.settings import DatabaseSettings
from graph.settings import Settings
from graph.transport.app import create_app
from tests.bench.servers import gateway_sessions, sessions_end
from tests.conftest import GraphQLClient, lifespan_running
from tests.reliability.conftest import FLOW
from tests.reliability.gateway import blocked_backend, locked_flows, serving

EXIT_SECONDS = 10.0
SIGTERM_EXIT = -signal.SIGTERM  # uvicorn re-raises the signal once it has shut down


async def test_sigterm_lets_an_in_flight_request_finish(database: DatabaseSettings, admin, tmp_path):
    log = tmp_path / "serve.log"
    variables = {"flowId": str(uuid.uuid4())}
    with serving(database, log) as gateway:
        async with httpx.AsyncClient(base_url=gateway.url, timeout=EXIT_SECONDS) as http:
            client = GraphQLClient(http, Settings())
            async with locked_flows(admin, database):
                in_flight = asyncio.create_task(client.query(FLOW, BENCH_TENANT, variables))
                await blocked_backend(admin, [gateway.process.pid])
                gateway.process.send_signal(signal.SIGTERM)
                await asyncio.sleep(0.5)
                waiting = gateway.process.poll() is None
            body = await in_flight
        exit_code = await asyncio.to_thread(gateway.process.wait, EXIT_SECONDS)
    ended = await sessions_end(admin, [gateway.process.pid], within=EXIT_SECONDS)

    assert waiting
    assert body == {"data": {"masterFlow": None}}
    assert exit_code == SIGTERM_EXIT
    assert "Application shutdown complete." in log.read_text()
    assert ended


async def test_sigterm_closes_websockets_with_1012_service_restart(database: DatabaseSettings, token: str, tmp_path):
    subscribe = {
        "id": "1",
        "type": "subscribe",
        "payload": {"query": f'subscription {{ masterFlowChanged(flowId: "{uuid.uuid4()}") {{ name }} }}'},
    }
    with serving(database, tmp_path / "serve.log") as gateway:
        url = f"ws://127.0.0.1:{gateway.port}/graphql"
        async with websockets.connect(url, subprotocols=["graphql-transport-ws"], open_timeout=EXIT_SECONDS) as socket:
            await socket.send(json.dumps({"type": "connection_init", "payload": {"Authorization": f"Bearer {token}"}}))
            async with asyncio.timeout(EXIT_SECONDS):
                acknowledged = json.loads(await socket.recv())
                await socket.send(json.dumps(subscribe))
                gateway.process.send_signal(signal.SIGTERM)
                with pytest.raises(websockets.ConnectionClosed) as closed:
                    await socket.recv()
        exit_code = await asyncio.to_thread(gateway.process.wait, EXIT_SECONDS)

    assert acknowledged == {"type": "connection_ack"}
    assert closed.value.rcvd is not None and closed.value.rcvd.code == 1012
    assert exit_code == SIGTERM_EXIT


async def test_the_app_closes_its_pool_at_shutdown(database: DatabaseSettings, admin):
    settings = Settings(database=database)
    async with lifespan_running(create_app(settings)) as app:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://flowgate.test") as http:
            await GraphQLClient(http, settings).data(FLOW, BENCH_TENANT, {"flowId": str(uuid.uuid4())})
        open_sessions = len(await gateway_sessions(admin, [os.getpid()]))
    ended = await sessions_end(admin, [os.getpid()], within=1.0)

    assert open_sessions == 1
    assert ended


# Draining: out of the balancer's rotation before shutting down

DRAIN_SECONDS = 2.0


async def test_sigterm_turns_readiness_to_503_at_once_and_serves_on_until_the_drain_ends(database: DatabaseSettings, tmp_path):
    variables = {"flowId": str(uuid.uuid4())}
    with serving(database, tmp_path / "serve.log", SHUTDOWN_DRAIN_SECONDS=str(DRAIN_SECONDS)) as gateway:
        async with httpx.AsyncClient(base_url=gateway.url, timeout=EXIT_SECONDS) as http:
            client = GraphQLClient(http, Settings())
            before = (await http.get("/readyz")).status_code
            gateway.process.send_signal(signal.SIGTERM)
            await asyncio.sleep(0.2)
            readiness, health = await http.get("/readyz"), await http.get("/healthz")
            body = await client.query(FLOW, BENCH_TENANT, variables)
            still_running = gateway.process.poll() is None
        exit_code = await asyncio.to_thread(gateway.process.wait, EXIT_SECONDS)

    assert before == 200
    assert (readiness.status_code, readiness.json()) == (503, {"status": "draining"})
    assert health.status_code == 200
    assert body == {"data": {"masterFlow": None}}
    assert still_running
    assert exit_code == SIGTERM_EXIT


async def test_a_second_sigterm_ends_the_drain_at_once(database: DatabaseSettings, tmp_path):
    with serving(database, tmp_path / "serve.log", SHUTDOWN_DRAIN_SECONDS="60") as gateway:
        async with httpx.AsyncClient(base_url=gateway.url, timeout=EXIT_SECONDS) as http:
            await http.get("/readyz")
        gateway.process.send_signal(signal.SIGTERM)
        await asyncio.sleep(0.2)
        gateway.process.send_signal(signal.SIGTERM)
        exit_code = await asyncio.to_thread(gateway.process.wait, EXIT_SECONDS)

    assert exit_code == SIGTERM_EXIT
