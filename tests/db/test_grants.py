"""`python -m db grants`: the SQL that lets a role read what Flowgate needs on the platform's database, RLS included."""

from __future__ import annotations

import subprocess
import sys
import uuid

import asyncpg
import pytest
from sqlalchemy import text

from db.engine import database_url, plain_url
from db.grants import READ_TABLES, grants_sql
from db.indexes import GATEWAY_INDEXES
from db.seed.rows import master_flow_row
from db.tables import master_flows
from tests.conftest import ROOT, command_env
from tests.platform_schema import reader_url


def test_the_command_prints_the_sql_for_the_schema_and_role():
    done = subprocess.run(
        [sys.executable, "-m", "db", "grants", "--role", "flowgate_ro"],
        cwd=ROOT,
        env=command_env(DB_SCHEMA="platform_db"),
        capture_output=True,
        text=True,
        check=True,
    )

    assert done.stdout == grants_sql(schema="platform_db", role="flowgate_ro")
    assert "GRANT USAGE ON SCHEMA platform_db TO flowgate_ro;" in done.stdout
    assert all(f"CREATE POLICY flowgate_read ON platform_db.{name} FOR SELECT TO flowgate_ro" in done.stdout for name in READ_TABLES)


def test_bypass_rls_replaces_the_policies_with_one_role_attribute():
    sql = grants_sql(schema="migration", role="flowgate_ro", bypass_rls=True)

    assert "ALTER ROLE flowgate_ro BYPASSRLS;" in sql
    assert "POLICY" not in sql


def test_a_role_name_that_is_not_an_identifier_is_refused():
    with pytest.raises(ValueError, match="--role"):
        grants_sql(schema="migration", role="x; DROP TABLE users")


async def test_on_the_platforms_schema_a_role_without_the_grants_policy_reads_no_rows(db, admin_engine, admin_database, schema_kind, tenant):
    if schema_kind != "platform":
        pytest.skip("the platform's RLS is on its schema only")
    role = f"flowgate_norls_{uuid.uuid4().hex[:8]}"
    await db.insert(master_flows, [master_flow_row(tenant)])
    async with admin_engine.begin() as connection:
        await connection.execute(text(f"CREATE ROLE {role} LOGIN"))
        await connection.execute(text(f"GRANT USAGE ON SCHEMA {admin_database.schema_name} TO {role}"))
        await connection.execute(text(f"GRANT SELECT ON {admin_database.schema_name}.{master_flows.name} TO {role}"))
    try:
        connection = await asyncpg.connect(plain_url(reader_url(database_url(admin_database), role)))
        try:
            count = await connection.fetchval(f"SELECT count(*) FROM {admin_database.schema_name}.{master_flows.name}")
        finally:
            await connection.close()
    finally:
        async with admin_engine.begin() as connection:
            await connection.execute(text(f"DROP OWNED BY {role}"))
            await connection.execute(text(f"DROP ROLE {role}"))

    assert count == 0  # silently: the reason `db grants` exists


def _indexes_output(schema: str) -> str:
    return subprocess.run(
        [sys.executable, "-m", "db", "indexes"],
        cwd=ROOT,
        env=command_env(DB_SCHEMA=schema),
        capture_output=True,
        text=True,
        check=True,
    ).stdout


async def test_db_indexes_recommends_the_page_index_first_where_the_platform_lacks_it(admin_database, schema_kind):
    output = _indexes_output(admin_database.schema_name)

    if schema_kind == "platform":
        first_statement = next(line for line in output.splitlines() if line.startswith("CREATE"))
        assert first_statement == (
            f"CREATE INDEX CONCURRENTLY IF NOT EXISTS ix_flowgate_raw_records_page "
            f"ON {admin_database.schema_name}.raw_import_records (data_import_id, row_number, id);"
        )
    else:  # Flowgate's own migration creates every one of them
        assert "CREATE INDEX" not in output
        assert output.count("-- present:") == len(GATEWAY_INDEXES)
