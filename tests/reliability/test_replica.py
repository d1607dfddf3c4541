"""A gateway that reads a streaming replica (`DATABASE_URL`) and listens on the primary (`LISTEN_DATABASE_URL`).

The primary and its replica are real servers (`replication.ReplicatedPostgres`);
the gateway is a real `python -m graph serve`.  Replaying WAL on the replica
can be paused, which makes what the gateway reads tell where it reads from.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Iterator

import asyncpg
import httpx
import pytest
from sqlalchemy import update

from db.engine import create_admin_engine
from db.migrate import migrate
from db.seed.rows import insert_rows, master_flow_row
from db.settings import DatabaseSettings
from db.tables import master_flows
from db.tenancy import Tenant
from graph.guards.auth import issue_token
from graph.settings import Settings
from tests.bench.servers import eventually
from tests.graph.transport.transport_ws import connected
from tests.reliability.gateway import Gateway, serving
from tests.reliability.replication import ReplicatedPostgres

SCHEMA = "flowgate_replica"
TENANT = Tenant(uuid.uuid4(), uuid.uuid4())
NAME = "query ($id: UUID!) { masterFlow(flowId: $id) { name } }"
CHANGED = "subscription ($flowId: UUID!) { masterFlowChanged(flowId: $flowId) { flowId } }"
REPLAY_SECONDS = 10.0


@pytest.fixture(scope="module")
def servers() -> Iterator[ReplicatedPostgres]:
    pair = ReplicatedPostgres()
    try:
        yield pair
    finally:
        pair.remove()


@pytest.fixture(scope="module")
async def primary(servers: ReplicatedPostgres) -> DatabaseSettings:
    """The primary, migrated (the replica follows)."""
    settings = DatabaseSettings(url=servers.primary_url, schema_name=SCHEMA)
    await asyncio.to_thread(migrate, settings)
    return settings


@pytest.fixture(scope="module")
async def gateway(servers: ReplicatedPostgres, primary: DatabaseSettings, tmp_path_factory) -> AsyncIterator[Gateway]:
    replica = DatabaseSettings(url=servers.replica_url, schema_name=SCHEMA)
    with serving(replica, tmp_path_factory.mktemp("replica") / "serve.log", LISTEN_DATABASE_URL=primary.url or "") as served:
        async with httpx.AsyncClient(base_url=served.url, timeout=5) as http:
            await eventually(lambda: _ready(http), within=REPLAY_SECONDS)
        yield served


async def _ready(http: httpx.AsyncClient) -> bool:
    return (await http.get("/readyz")).status_code == 200


@pytest.fixture
async def replica_admin(servers: ReplicatedPostgres) -> AsyncIterator[asyncpg.Connection]:
    """A superuser session on the replica; WAL replay resumes when the test ends."""
    connection = await asyncpg.connect(servers.replica_url)
    yield connection
    await connection.execute("SELECT pg_wal_replay_resume()")
    await connection.close()


async def _flow_on_primary(primary: DatabaseSettings, name: str) -> dict:
    row = master_flow_row(TENANT, flow_name=name)
    engine = create_admin_engine(primary)
    async with engine.begin() as connection:
        await insert_rows(connection, master_flows, [row])
    await engine.dispose()
    return row


async def _rename_on_primary(primary: DatabaseSettings, flow: dict, name: str) -> None:
    engine = create_admin_engine(primary)
    async with engine.begin() as connection:
        await connection.execute(update(master_flows).where(master_flows.c.flow_id == flow["flow_id"]).values(flow_name=name))
    await engine.dispose()


async def _name_served(gateway: Gateway, flow: dict) -> str | None:
    headers = {"Authorization": f"Bearer {issue_token(Settings(), TENANT)}"}
    async with httpx.AsyncClient(base_url=gateway.url, timeout=5) as http:
        response = await http.post("/graphql", json={"query": NAME, "variables": {"id": str(flow["flow_id"])}}, headers=headers)
    flow_data = response.json()["data"]["masterFlow"]
    return flow_data and flow_data["name"]


async def test_the_gateway_reads_what_the_replica_has_replayed(gateway, primary, replica_admin):
    flow = await _flow_on_primary(primary, "before")
    await eventually(lambda: _served_as(gateway, flow, "before"), within=REPLAY_SECONDS)

    await replica_admin.execute("SELECT pg_wal_replay_pause()")
    await _rename_on_primary(primary, flow, "after")
    await asyncio.sleep(0.5)
    while_paused = await _name_served(gateway, flow)
    await replica_admin.execute("SELECT pg_wal_replay_resume()")

    assert while_paused == "before"
    await eventually(lambda: _served_as(gateway, flow, "after"), within=REPLAY_SECONDS)


async def _served_as(gateway: Gateway, flow: dict, name: str) -> bool:
    return await _name_served(gateway, flow) == name


async def test_a_write_on_the_primary_pushes_to_a_subscriber_of_the_replica_reading_gateway(gateway, primary):
    flow = await _flow_on_primary(primary, "watched")
    await eventually(lambda: _served_as(gateway, flow, "watched"), within=REPLAY_SECONDS)

    async with connected(gateway.url, Settings(), TENANT) as ws:
        await ws.subscribe("1", flow["flow_id"], CHANGED)
        await asyncio.sleep(0.5)  # the subscription is registered with the listener
        await _rename_on_primary(primary, flow, "renamed on the primary")
        push = await ws.receive(within=REPLAY_SECONDS)

    assert push == {"id": "1", "type": "next", "payload": {"data": {"masterFlowChanged": {"flowId": str(flow["flow_id"])}}}}
