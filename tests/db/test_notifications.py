"""Flow change notifications: the triggers of revision 0002, and the listener that wakes subscriptions.

Notifications are filtered to the test's own tenants, since other test runs
may write to the same schema.
"""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import asyncpg
from sqlalchemy import insert, text, update

from db.engine import database_url, plain_url
from db.notifications import FlowChanges, FlowSubscription, channel_name
from db.seed.rows import (
    data_import_row,
    discovery_flow_row,
    master_flow_row,
    raw_record_row,
)
from db.settings import DatabaseSettings
from db.tables import data_imports, discovery_flows, master_flows, raw_import_records
from db.tenancy import Tenant

DELIVERY_SECONDS = 0.3
WAKE_TIMEOUT_SECONDS = 2.0


@asynccontextmanager
async def notifications(database: DatabaseSettings) -> AsyncIterator[list[dict[str, Any]]]:
    """The payloads notified on `database`'s flow change channel while the block runs, as a growing list."""
    received: list[dict[str, Any]] = []
    connection = await asyncpg.connect(plain_url(database_url(database)))
    await connection.add_listener(channel_name(database.schema_name), lambda *args: received.append(json.loads(args[3])))
    try:
        yield received
    finally:
        await connection.close()


async def delivered(received: list[dict[str, Any]], *tenants: Tenant) -> list[dict[str, Any]]:
    """The notifications for `tenants` among `received`, once the ones already sent have arrived."""
    await asyncio.sleep(DELIVERY_SECONDS)
    ours = {str(tenant.client_account_id) for tenant in tenants}
    return [payload for payload in received if payload["client_account_id"] in ours]


def change(tenant: Tenant, flow_id: uuid.UUID) -> dict[str, str]:
    return {"flow_id": str(flow_id), "client_account_id": str(tenant.client_account_id), "engagement_id": str(tenant.engagement_id)}


async def linked_flow(db, tenant: Tenant, **import_columns: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    """A master flow whose discovery flow links a new import: (flow row, import row)."""
    flow, imported = master_flow_row(tenant), data_import_row(tenant, **import_columns)
    await db.insert(master_flows, [flow])
    await db.insert(data_imports, [imported])
    await db.insert(discovery_flows, [discovery_flow_row(tenant, master_flow_id=flow["flow_id"], data_import_id=imported["id"])])
    return flow, imported


async def run(db, statement: Any) -> None:
    async with db.engine.begin() as connection:
        await connection.execute(statement)


async def woken(subscription: FlowSubscription, within: float = 1.0) -> bool:
    """Whether `subscription` wakes within `within` seconds."""
    try:
        async with asyncio.timeout(within):
            await anext(subscription)
    except TimeoutError:
        return False
    return True


@asynccontextmanager
async def listener(settings, *, coalesce_seconds: float = 0.05) -> AsyncIterator[FlowChanges]:
    """A started `FlowChanges` on the test schema, already listening when the block starts."""
    changes = FlowChanges(settings.database, coalesce_seconds=coalesce_seconds)
    changes.start()
    try:
        await wait_until_listening(changes, settings.database)
        yield changes
    finally:
        await changes.stop()


async def wait_until_listening(changes: FlowChanges, database: DatabaseSettings) -> None:
    """Returns once a probe notification (or the wake-up that follows connecting) reaches a probe subscription."""
    probe = Tenant(uuid.uuid4(), uuid.uuid4()), uuid.uuid4()
    connection = await asyncpg.connect(plain_url(database_url(database)))
    try:
        with changes.subscribe(*probe) as subscription:
            async with asyncio.timeout(5):
                while True:
                    await connection.execute("SELECT pg_notify($1, $2)", changes.channel, json.dumps(change(*probe)))
                    if await woken(subscription, within=changes.coalesce_seconds + 0.2):
                        return
    finally:
        await connection.close()


# The triggers


async def test_each_table_notifies_its_master_flow_with_only_the_flow_id_and_tenant(db, settings, tenant):
    flow, imported = await linked_flow(db, tenant)
    record = raw_record_row(tenant, data_import_id=imported["id"], row_number=1, raw_data={"host": "a"})

    async with notifications(settings.database) as received:
        await run(db, update(master_flows).where(master_flows.c.flow_id == flow["flow_id"]).values(flow_name="renamed"))
        await run(db, update(discovery_flows).where(discovery_flows.c.master_flow_id == flow["flow_id"]).values(progress_percentage=40.0))
        await run(db, update(data_imports).where(data_imports.c.id == imported["id"]).values(status="processing"))
        await db.insert(raw_import_records, [record])
        await run(db, update(raw_import_records).where(raw_import_records.c.id == record["id"]).values(is_valid=False))
        await run(db, raw_import_records.delete().where(raw_import_records.c.id == record["id"]))

        assert await delivered(received, tenant) == [change(tenant, flow["flow_id"])] * 6


async def test_records_notify_the_flow_linked_by_the_bridge_not_the_one_data_imports_names(db, settings, tenant):
    claimed = master_flow_row(tenant)
    await db.insert(master_flows, [claimed])
    flow, imported = await linked_flow(db, tenant, master_flow_id=claimed["flow_id"])

    async with notifications(settings.database) as received:
        await db.insert(raw_import_records, [raw_record_row(tenant, data_import_id=imported["id"], row_number=1, raw_data={})])

        assert await delivered(received, tenant) == [change(tenant, flow["flow_id"])]


async def test_an_import_change_notifies_only_discovery_flows_of_the_imports_tenant(db, settings, tenant, other_tenant):
    flow, imported = await linked_flow(db, tenant)
    theirs = master_flow_row(other_tenant)
    await db.insert(master_flows, [theirs])
    await db.insert(discovery_flows, [discovery_flow_row(other_tenant, master_flow_id=theirs["flow_id"], data_import_id=imported["id"])])

    async with notifications(settings.database) as received:
        await run(db, update(data_imports).where(data_imports.c.id == imported["id"]).values(status="failed"))

        assert await delivered(received, tenant, other_tenant) == [change(tenant, flow["flow_id"])]


async def test_records_of_an_import_without_tenant_columns_notify_the_flow_that_links_it(db, settings, tenant):
    # The platform leaves an import's tenant columns NULL; the gateway shows it to the linking flow's tenant.
    flow, imported = await linked_flow(db, tenant, client_account_id=None, engagement_id=None)

    async with notifications(settings.database) as received:
        await db.insert(raw_import_records, [raw_record_row(tenant, data_import_id=imported["id"], row_number=1, raw_data={})])

        assert await delivered(received, tenant) == [change(tenant, flow["flow_id"])]


async def test_inserting_a_thousand_records_in_one_statement_notifies_once(db, settings, tenant):
    flow, imported = await linked_flow(db, tenant)
    rows = [raw_record_row(tenant, data_import_id=imported["id"], row_number=n, raw_data={"n": n}) for n in range(1, 1001)]

    async with notifications(settings.database) as received:
        await run(db, insert(raw_import_records).values(rows))

        assert await delivered(received, tenant) == [change(tenant, flow["flow_id"])]


async def test_the_triggers_resolve_their_tables_whatever_the_writers_search_path(db, settings, admin_database, tenant):
    flow, imported = await linked_flow(db, tenant)
    writer = await asyncpg.connect(plain_url(database_url(admin_database)), server_settings={"search_path": "public"})

    async with notifications(settings.database) as received:
        await writer.execute(
            f"INSERT INTO {admin_database.schema_name}.raw_import_records (id, data_import_id, row_number, raw_data)"
            " VALUES (gen_random_uuid(), $1, 1, '{}')",
            imported["id"],
        )
        await writer.close()

        assert await delivered(received, tenant) == [change(tenant, flow["flow_id"])]


# The listener


async def test_a_change_wakes_the_subscriptions_of_its_tenant_and_flow_only(db, settings, tenant, other_tenant):
    flow, other_flow = master_flow_row(tenant), master_flow_row(tenant)
    await db.insert(master_flows, [flow, other_flow])

    async with listener(settings) as changes:
        with (
            changes.subscribe(tenant, flow["flow_id"]) as mine,
            changes.subscribe(tenant, other_flow["flow_id"]) as other_flows,
            changes.subscribe(other_tenant, flow["flow_id"]) as other_tenants,
        ):
            await run(db, update(master_flows).where(master_flows.c.flow_id == flow["flow_id"]).values(flow_name="renamed"))

            assert await woken(mine)
            assert not await woken(other_flows)
            assert not await woken(other_tenants)


async def test_a_burst_of_changes_wakes_a_subscription_at_most_once_per_window(db, settings, tenant):
    flow = master_flow_row(tenant)
    await db.insert(master_flows, [flow])
    window = 0.5

    async with listener(settings, coalesce_seconds=window) as changes:
        with changes.subscribe(tenant, flow["flow_id"]) as subscription:
            started = time.perf_counter()
            for n in range(100):
                await run(db, update(master_flows).where(master_flows.c.flow_id == flow["flow_id"]).values(flow_name=f"v{n}"))
            burst = time.perf_counter() - started
            wake_ups = 0
            while await woken(subscription, within=2 * window):
                wake_ups += 1

    assert 1 <= wake_ups <= burst / window + 2


async def test_a_lost_connection_is_reopened_and_wakes_every_subscription(db, settings, tenant):
    flows = [master_flow_row(tenant), master_flow_row(tenant)]
    await db.insert(master_flows, flows)

    async with listener(settings) as changes:
        with changes.subscribe(tenant, flows[0]["flow_id"]) as first, changes.subscribe(tenant, flows[1]["flow_id"]) as second:
            async with db.engine.begin() as connection:
                await connection.execute(
                    text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = :name"),
                    {"name": f"flowgate-listener:{settings.database.schema_name}"},
                )

            assert await woken(first) and await woken(second)
            await run(db, update(master_flows).where(master_flows.c.flow_id == flows[0]["flow_id"]).values(flow_name="after"))
            assert await woken(first)


async def test_a_subscription_left_is_no_longer_woken(db, settings, tenant):
    flow = master_flow_row(tenant)
    await db.insert(master_flows, [flow])

    async with listener(settings) as changes:
        with changes.subscribe(tenant, flow["flow_id"]) as subscription:
            pass
        await run(db, update(master_flows).where(master_flows.c.flow_id == flow["flow_id"]).values(flow_name="renamed"))

        assert not await woken(subscription)
