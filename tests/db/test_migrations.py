"""Migrations build the platform's tables in any schema, idempotently, with the gateway's indexes and change triggers; they downgrade cleanly."""

from __future__ import annotations

import asyncio

import pytest
from alembic import command
from sqlalchemy import text
from sqlalchemy.engine import make_url

from db.engine import asyncpg_url, create_admin_engine, plain_url
from db.migrate import alembic_config, migrate
from db.settings import changed

pytestmark = pytest.mark.flowgate_schema_only


async def _run(database, *statements: str) -> list[str]:
    """Run `statements` on a writable connection; return the first column of the last one's rows."""
    engine = create_admin_engine(database)
    try:
        async with engine.begin() as connection:
            for statement in statements:
                result = await connection.execute(text(statement))
            return [row[0] for row in result] if result.returns_rows else []
    finally:
        await engine.dispose()


def test_migrating_twice_into_a_new_schema_builds_the_tables_and_indexes_once(settings):
    database = changed(settings.database, schema_name="flowgate_migration_test")
    asyncio.run(_run(database, "DROP SCHEMA IF EXISTS flowgate_migration_test CASCADE"))
    try:
        migrate(database)
        migrate(database)
        indexes = asyncio.run(_run(database, "SELECT indexdef FROM pg_indexes WHERE schemaname = 'flowgate_migration_test' ORDER BY indexname"))
    finally:
        asyncio.run(_run(database, "DROP SCHEMA IF EXISTS flowgate_migration_test CASCADE"))

    assert not any("UNIQUE" in i and "(data_import_id, row_number)" in i for i in indexes)  # row numbers repeat
    assert any("ix_flowgate_raw_records_page" in i and "(data_import_id, row_number, id)" in i for i in indexes)
    assert any("ix_discovery_flows_master_flow_id" in i for i in indexes)
    assert any("ix_discovery_flows_data_import_id" in i for i in indexes)
    assert any("ix_flowgate_master_flows_parent" in i for i in indexes)
    assert len([i for i in indexes if "crewai_flow_state_extensions_flow_id_key" in i]) == 1


def test_a_pasted_postgres_url_becomes_an_asyncpg_url():
    assert asyncpg_url("postgres://u:p@db:5432/platform") == "postgresql+asyncpg://u:p@db:5432/platform"
    socket_url = make_url(asyncpg_url("postgresql://u@/db?host=/run/pg"))
    assert (socket_url.drivername, socket_url.database, socket_url.query) == ("postgresql+asyncpg", "db", {"host": "/run/pg"})


def test_a_driver_specific_url_becomes_the_plain_form_asyncpg_takes():
    assert plain_url("postgresql+asyncpg://u:p@db/platform") == "postgresql://u:p@db/platform"


def test_downgrading_to_0001_drops_the_notification_triggers_and_functions(settings):
    database = changed(settings.database, schema_name="flowgate_downgrade_test")
    flowgate_objects = (
        "SELECT tgname FROM pg_trigger JOIN pg_class ON pg_class.oid = tgrelid JOIN pg_namespace ON pg_namespace.oid = relnamespace"
        " WHERE nspname = 'flowgate_downgrade_test' AND tgname LIKE 'flowgate%'"
        " UNION ALL SELECT proname FROM pg_proc JOIN pg_namespace ON pg_namespace.oid = pronamespace"
        " WHERE nspname = 'flowgate_downgrade_test'"
    )
    asyncio.run(_run(database, "DROP SCHEMA IF EXISTS flowgate_downgrade_test CASCADE"))
    try:
        migrate(database)
        upgraded = asyncio.run(_run(database, flowgate_objects))
        command.downgrade(alembic_config(database), "0001")
        downgraded = asyncio.run(_run(database, flowgate_objects))
    finally:
        asyncio.run(_run(database, "DROP SCHEMA IF EXISTS flowgate_downgrade_test CASCADE"))

    assert sorted(upgraded) == [
        "flowgate_data_import_changed",
        "flowgate_discovery_flow_changed",
        "flowgate_import_rows_changed",
        "flowgate_master_flow_changed",
        "flowgate_notify",
        "flowgate_notify",
        "flowgate_notify",
        "flowgate_notify_delete",
        "flowgate_notify_delete",
        "flowgate_notify_flow_changed",
        "flowgate_notify_import_changed",
        "flowgate_notify_insert",
        "flowgate_notify_insert",
        "flowgate_notify_update",
        "flowgate_notify_update",
    ]
    assert downgraded == []
