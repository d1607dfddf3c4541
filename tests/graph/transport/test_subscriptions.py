"""Subscriptions over graphql-transport-ws, end to end: a real WebSocket client against a served gateway.

Changes are made in SQL through the admin engine; the gateway hears of them
through the triggers and its listener.  A subscription pushes only on
change, so each test first makes sure its subscription is live ("warm-up"
renames until one arrives), then acts.
"""

from __future__ import annotations

import asyncio
import json
import re
import time
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import pytest
import websockets
from sqlalchemy import insert, update

from db.engine import create_admin_engine
from db.migrate import migrate
from db.seed.rows import (
    data_import_row,
    discovery_flow_row,
    field_mapping_row,
    master_flow_row,
    raw_record_row,
)
from db.settings import changed
from db.tables import data_imports, discovery_flows, import_field_mappings, master_flows, raw_import_records
from db.tenancy import Tenant
from graph.guards.auth import issue_token
from graph.settings import Settings
from tests.conftest import Database, serving
from tests.graph.transport.transport_ws import (
    FLOW_CHANGED,
    QUIET_SECONDS,
    RECEIVE_SECONDS,
    connected,
    pushed,
    rename,
    socket,
    warm_up,
)
from tests.reliability.postgres import TemporaryPostgres

RECONNECT_SECONDS = 10.0
POSTGRES_SECONDS = 30.0  # to create, migrate, stop or start the module's own cluster


async def linked_import(db: Database, tenant: Tenant, flow: dict[str, Any]) -> dict[str, Any]:
    """A new import, linked to `flow` by a discovery flow."""
    imported = data_import_row(tenant)
    await db.insert(data_imports, [imported])
    await db.insert(discovery_flows, [discovery_flow_row(tenant, master_flow_id=flow["flow_id"], data_import_id=imported["id"])])
    return imported


@pytest.fixture
async def flow(db: Database, tenant: Tenant) -> dict[str, Any]:
    row = master_flow_row(tenant, flow_name="Discovery")
    await db.insert(master_flows, [row])
    return row


# Pushes


async def test_an_update_made_in_sql_arrives_within_one_second(live_server, settings, db, tenant, flow):
    async with connected(live_server, settings, tenant) as ws:
        await ws.subscribe("1", flow["flow_id"])
        await warm_up(ws, db, flow, "1")

        started = time.perf_counter()
        await rename(db, flow, "Renamed in SQL")
        message = await ws.receive(within=1.0)
        elapsed = time.perf_counter() - started

    assert message == pushed("1", flow)
    assert elapsed < 1.0


async def test_each_push_reads_the_nested_fields_afresh(live_server, settings, db, tenant, flow):
    query = "subscription ($flowId: UUID!) { masterFlowChanged(flowId: $flowId) { flowId name discovery { progressPercentage } } }"
    await linked_import(db, tenant, flow)

    async with connected(live_server, settings, tenant) as ws:
        await ws.subscribe("1", flow["flow_id"], query)
        await warm_up(ws, db, flow, "1")
        pushes = []
        for progress in (20.0, 60.0):
            async with db.engine.begin() as connection:
                await connection.execute(
                    update(discovery_flows).where(discovery_flows.c.master_flow_id == flow["flow_id"]).values(progress_percentage=progress)
                )
            pushes.append(await ws.receive())

    assert pushes == [pushed("1", flow, discovery={"progressPercentage": progress}) for progress in (20.0, 60.0)]


async def test_records_added_to_the_linked_import_push_the_flow_the_bridge_names(live_server, settings, db, tenant, flow):
    query = """subscription ($flowId: UUID!) {
      masterFlowChanged(flowId: $flowId) { flowId name discovery { dataImport { rawRecords { totalCount } } } }
    }"""
    claimed = master_flow_row(tenant, flow_name="Claimed by data_imports.master_flow_id")
    await db.insert(master_flows, [claimed])
    imported = await linked_import(db, tenant, flow)
    async with db.engine.begin() as connection:
        await connection.execute(update(data_imports).where(data_imports.c.id == imported["id"]).values(master_flow_id=claimed["flow_id"]))

    async with connected(live_server, settings, tenant) as ws:
        await ws.subscribe("claimed", claimed["flow_id"], query)
        await ws.subscribe("linked", flow["flow_id"], query)
        await warm_up(ws, db, flow, "linked")
        await db.insert(raw_import_records, [raw_record_row(tenant, data_import_id=imported["id"], row_number=1, raw_data={"host": "web-1"})])
        messages = await ws.received()

    assert messages == [pushed("linked", flow, discovery={"dataImport": {"rawRecords": {"totalCount": 1}}})]


async def test_a_field_mapping_approved_on_the_linked_import_pushes_the_flow_with_its_new_summary(live_server, settings, db, tenant, flow):
    query = """subscription ($flowId: UUID!) {
      masterFlowChanged(flowId: $flowId) { flowId name discovery { dataImport { fieldMappingSummary { approved suggested } } } }
    }"""
    imported = await linked_import(db, tenant, flow)
    mapping = field_mapping_row(tenant, data_import_id=imported["id"], source_field="hostname", status="suggested")
    await db.insert(import_field_mappings, [mapping])

    async with connected(live_server, settings, tenant) as ws:
        await ws.subscribe("1", flow["flow_id"], query)
        await warm_up(ws, db, flow, "1")
        async with db.engine.begin() as connection:
            await connection.execute(update(import_field_mappings).where(import_field_mappings.c.id == mapping["id"]).values(status="approved"))
        messages = await ws.received()

    assert messages == [pushed("1", flow, discovery={"dataImport": {"fieldMappingSummary": {"approved": 1, "suggested": 0}}})]


async def test_mappings_written_in_several_statements_push_a_coalesced_few(live_server, settings, db, tenant, flow):
    imported = await linked_import(db, tenant, flow)

    async with connected(live_server, settings, tenant) as ws:
        await ws.subscribe("1", flow["flow_id"])
        await warm_up(ws, db, flow, "1")
        for n in range(50):
            await db.insert(import_field_mappings, [field_mapping_row(tenant, data_import_id=imported["id"], source_field=f"col_{n}")])
        messages = await ws.received(2 * QUIET_SECONDS)

    assert 1 <= len(messages) < 50
    assert all(message == pushed("1", flow) for message in messages)


async def test_a_thousand_record_inserts_in_one_statement_push_at_most_three_messages(live_server, settings, db, tenant, flow):
    imported = await linked_import(db, tenant, flow)
    rows = [raw_record_row(tenant, data_import_id=imported["id"], row_number=n, raw_data={"n": n}) for n in range(1, 1001)]

    async with connected(live_server, settings, tenant) as ws:
        await ws.subscribe("1", flow["flow_id"])
        await warm_up(ws, db, flow, "1")
        async with db.engine.begin() as connection:
            await connection.execute(insert(raw_import_records).values(rows))
        messages = await ws.received(2 * QUIET_SECONDS)

    assert 1 <= len(messages) <= 3
    assert all(message == pushed("1", flow) for message in messages)


async def test_a_burst_of_separate_updates_is_coalesced_and_ends_with_the_last_one(live_server, settings, db, tenant, flow):
    async with connected(live_server, settings, tenant) as ws:
        await ws.subscribe("1", flow["flow_id"])
        await warm_up(ws, db, flow, "1")
        started = time.perf_counter()
        for n in range(200):
            await rename(db, flow, f"burst {n}")
        burst = time.perf_counter() - started
        messages = await ws.received(2 * QUIET_SECONDS)

    assert 1 <= len(messages) <= burst / (settings.subscription_coalesce_ms / 1000) + 2 < 200
    assert messages[-1] == pushed("1", flow, name="burst 199")


# Tenancy


async def test_another_tenants_flow_and_a_missing_flow_push_nothing_while_an_own_update_arrives(
    live_server, settings, db, tenant, other_tenant, flow
):
    theirs = master_flow_row(other_tenant, flow_name="Theirs")
    await db.insert(master_flows, [theirs])

    async with connected(live_server, settings, tenant) as ws:
        await ws.subscribe("theirs", theirs["flow_id"])
        await ws.subscribe("missing", uuid.uuid4())
        await ws.subscribe("mine", flow["flow_id"])
        await warm_up(ws, db, flow, "mine")
        await rename(db, theirs, "Theirs, renamed")
        await rename(db, flow, "Mine, renamed")
        messages = await ws.received()

    assert messages == [pushed("mine", flow)]


# Authentication


async def test_a_bad_token_in_connection_init_closes_the_socket_with_4403(live_server):
    async with socket(live_server) as ws:
        await ws.send({"type": "connection_init", "payload": {"Authorization": "Bearer not-a-token"}})

        assert await ws.close_code() == 4403


async def test_no_credentials_close_the_socket_with_4403(live_server):
    async with socket(live_server) as ws:
        await ws.send({"type": "connection_init", "payload": {}})

        assert await ws.close_code() == 4403


async def test_the_socket_closes_with_4403_when_its_token_expires(live_server, settings, tenant):
    async with socket(live_server) as ws:
        token = issue_token(settings, tenant, ttl_seconds=2)
        await ws.send({"type": "connection_init", "payload": {"Authorization": f"Bearer {token}"}})
        assert await ws.receive() == {"type": "connection_ack"}
        await ws.subscribe("1", uuid.uuid4())
        # Until the close frame, not the TCP close after it; a 2 s token expires on a whole second, and a loaded CI is slow.
        with pytest.raises(websockets.ConnectionClosed) as closed:
            async with asyncio.timeout(10):
                while True:
                    await ws.connection.recv()

    assert closed.value.rcvd is not None and closed.value.rcvd.code == 4403


async def test_a_token_in_the_upgrade_requests_header_authenticates_the_socket(live_server, settings, db, tenant, flow):
    async with socket(live_server, headers={"Authorization": f"Bearer {issue_token(settings, tenant)}"}) as ws:
        await ws.send({"type": "connection_init"})
        assert await ws.receive() == {"type": "connection_ack"}
        await ws.subscribe("1", flow["flow_id"])
        await warm_up(ws, db, flow, "1")
        await rename(db, flow, "Renamed")

        assert await ws.receive() == pushed("1", flow)


async def test_a_handshake_from_a_page_on_another_origin_is_refused(live_server):
    with pytest.raises(websockets.InvalidStatus) as refused:
        async with socket(live_server, headers={"Origin": "https://evil.example"}):
            pass

    assert refused.value.response.status_code == 403


async def test_the_legacy_graphql_ws_subprotocol_is_refused_with_4406(live_server):
    async with socket(live_server, subprotocol="graphql-ws") as ws:
        assert await ws.close_code() == 4406


# Errors


async def test_an_invalid_subscription_gets_an_error_message_with_its_code(live_server, settings, tenant):
    async with connected(live_server, settings, tenant) as ws:
        await ws.send({"id": "1", "type": "subscribe", "payload": {"query": "subscription { masterFlowChanged { name } }"}})

        assert await ws.receive() == {
            "id": "1",
            "type": "error",
            "payload": [
                {
                    "message": "Argument 'Subscription.masterFlowChanged(flowId:)' of type 'UUID!' is required, but it was not provided.",
                    "extensions": {"code": "GRAPHQL_VALIDATION_FAILED"},
                    "locations": [{"line": 1, "column": 16}],
                }
            ],
        }


async def test_a_subscribe_payload_with_malformed_extensions_closes_the_socket_with_4400(live_server, settings, tenant):
    async with connected(live_server, settings, tenant) as ws:
        payload = {"query": "{ __typename }", "extensions": "x"}
        await ws.send({"id": "1", "type": "subscribe", "payload": payload})

        assert await ws.close_code() == 4400


async def test_a_query_over_websocket_is_refused_in_favour_of_http(live_server, settings, tenant):
    async with connected(live_server, settings, tenant) as ws:
        await ws.send({"id": "1", "type": "subscribe", "payload": {"query": "{ masterFlows { totalCount } }"}})

        assert await ws.receive() == {
            "id": "1",
            "type": "error",
            "payload": [
                {
                    "message": "Only subscriptions are served over WebSocket; send queries over HTTP.",
                    "extensions": {"code": "BAD_USER_INPUT"},
                }
            ],
        }


async def test_a_subscription_over_the_depth_limit_is_refused_as_too_complex(live_server, settings, tenant):
    nested = "parentFlow { " * settings.max_query_depth + "name" + " }" * settings.max_query_depth
    query = "subscription ($flowId: UUID!) { masterFlowChanged(flowId: $flowId) { " + nested + " } }"

    async with connected(live_server, settings, tenant) as ws:
        await ws.subscribe("1", uuid.uuid4(), query)
        message = await ws.receive()

    assert (message["id"], message["type"]) == ("1", "error")
    assert [error["extensions"]["code"] for error in message["payload"]] == ["QUERY_TOO_COMPLEX"]


async def test_an_error_in_a_push_carries_its_code_as_over_http(live_server, settings, db, tenant, flow):
    query = """subscription ($flowId: UUID!) {
      masterFlowChanged(flowId: $flowId) { flowId name discovery { dataImport { rawRecords(first: 501) { totalCount } } } }
    }"""
    await linked_import(db, tenant, flow)

    async with connected(live_server, settings, tenant) as ws:
        await ws.subscribe("1", flow["flow_id"], query)
        await warm_up(ws, db, flow, "1")
        await rename(db, flow, "Renamed")
        message = await ws.receive()

    assert message == {
        "id": "1",
        "type": "next",
        "payload": {
            "data": {"masterFlowChanged": {"flowId": str(flow["flow_id"]), "name": "Renamed", "discovery": {"dataImport": None}}},
            "errors": [
                {
                    "message": "`first` must be between 1 and 500, got 501.",
                    "extensions": {"code": "BAD_USER_INPUT"},
                    "locations": [{"line": 2, "column": 81}],
                    "path": ["masterFlowChanged", "discovery", "dataImport", "rawRecords"],
                }
            ],
        },
    }


async def test_subscriptions_over_http_are_refused_with_a_clear_error(graphql, tenant):
    response = await graphql.post(FLOW_CHANGED, tenant, {"flowId": str(uuid.uuid4())}, headers={"Accept": "application/graphql-response+json"})

    assert response.status_code == 400
    assert response.json() == {
        "errors": [
            {
                "message": "Subscriptions are served over WebSocket (graphql-transport-ws) at /graphql, not over HTTP.",
                "extensions": {"code": "BAD_USER_INPUT"},
            }
        ]
    }


# Limits and keep-alive, on a gateway with small limits


@pytest.fixture(scope="module")
async def strict_server(settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[str]:
    """A gateway allowing 2 sockets with 2 operations each, and pinging every half second."""
    async with serving(
        settings,
        tmp_path_factory.mktemp("strict_server"),
        MAX_WEBSOCKET_CONNECTIONS="2",
        MAX_SUBSCRIPTIONS_PER_CONNECTION="2",
        WEBSOCKET_KEEPALIVE_SECONDS="0.5",
    ) as url:
        yield url


async def test_an_operation_over_the_per_connection_limit_gets_an_error(strict_server, settings, tenant):
    async with connected(strict_server, settings, tenant) as ws:
        for operation_id in ("1", "2", "3"):
            await ws.subscribe(operation_id, uuid.uuid4())

        assert await ws.receive() == {
            "id": "3",
            "type": "error",
            "payload": [
                {
                    "message": "A connection may run at most 2 operations at once; complete one before starting another.",
                    "extensions": {"code": "BAD_USER_INPUT"},
                }
            ],
        }


async def test_a_connection_over_the_limit_is_closed_with_1013(strict_server, settings, tenant):
    async with connected(strict_server, settings, tenant), connected(strict_server, settings, tenant), socket(strict_server) as third:
        assert await third.close_code() == 1013


async def test_the_server_pings_an_idle_connection(strict_server, settings, tenant):
    async with connected(strict_server, settings, tenant) as ws:
        async with asyncio.timeout(RECEIVE_SECONDS):
            message = json.loads(await ws.connection.recv())

    assert message == {"type": "ping"}


async def test_a_subscription_over_the_tenants_rate_limit_gets_rate_limited(settings, tenant, tmp_path):
    # One point a minute: the first subscription (no connections: 1 point) takes it.
    async with serving(settings, tmp_path, RATE_LIMIT_POINTS="1", MAX_NODES="1") as url, connected(url, settings, tenant) as ws:
        await ws.subscribe("1", uuid.uuid4())
        await ws.subscribe("2", uuid.uuid4())
        message = await ws.receive()

    assert (message["id"], message["type"]) == ("2", "error")
    [error] = message["payload"]
    assert error["extensions"] == {"code": "RATE_LIMITED"}
    reset_at = r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ"
    assert re.fullmatch(rf"The rate limit is used up: this operation costs 1 and the window has 0 left until {reset_at}\.", error["message"])


# Database restarts, on a PostgreSQL cluster of this module's own


@dataclass
class OwnDatabase:
    """A PostgreSQL cluster the tests may restart, and a gateway serving it."""

    postgres: TemporaryPostgres
    db: Database
    gateway: str

    async def restart(self) -> None:
        async with asyncio.timeout(POSTGRES_SECONDS):
            await asyncio.to_thread(self.postgres.stop)
            await asyncio.to_thread(self.postgres.start)
        await self.db.engine.dispose()  # its pooled connections died with the server


@pytest.fixture(scope="module")
async def own_database(settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[OwnDatabase]:
    """A migrated cluster of this module's own (never the shared database), and a gateway serving it."""
    async with asyncio.timeout(POSTGRES_SECONDS):
        postgres = await asyncio.to_thread(TemporaryPostgres)
    try:
        database = changed(settings.database, url=postgres.url)
        async with asyncio.timeout(POSTGRES_SECONDS):
            await asyncio.to_thread(migrate, database)
        engine = create_admin_engine(database)
        try:
            async with serving(settings, tmp_path_factory.mktemp("own_gateway"), DATABASE_URL=postgres.url) as url:
                yield OwnDatabase(postgres, Database(engine, None), url)
        finally:
            await engine.dispose()
    finally:
        await asyncio.to_thread(postgres.remove)


async def test_after_a_database_restart_every_subscription_gets_a_refresh(own_database, settings, tenant):
    flows = [master_flow_row(tenant, flow_name=name) for name in ("First", "Second")]
    await own_database.db.insert(master_flows, flows)

    async with connected(own_database.gateway, settings, tenant) as ws:
        for operation_id, flow in zip(("1", "2"), flows, strict=True):
            await ws.subscribe(operation_id, flow["flow_id"])
            await warm_up(ws, own_database.db, flow, operation_id)
        await own_database.restart()
        refreshes = [await ws.receive(within=RECONNECT_SECONDS) for _ in flows]

    assert sorted(refreshes, key=lambda message: message["id"]) == [pushed("1", flows[0]), pushed("2", flows[1])]


async def test_after_a_database_restart_a_later_update_still_arrives(own_database, settings, tenant):
    flow = master_flow_row(tenant, flow_name="Before")
    await own_database.db.insert(master_flows, [flow])

    async with connected(own_database.gateway, settings, tenant) as ws:
        await ws.subscribe("1", flow["flow_id"])
        await warm_up(ws, own_database.db, flow, "1")
        await own_database.restart()
        await rename(own_database.db, flow, "After the restart")
        async with asyncio.timeout(RECONNECT_SECONDS):
            while (message := await ws.receive(within=RECONNECT_SECONDS)) != pushed("1", flow):
                assert message["type"] == "next", message
