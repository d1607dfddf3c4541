"""What the gateway's role can see of its schema (db/preflight.py): problems that keep it from serving, warnings that do not."""

from __future__ import annotations

from contextlib import asynccontextmanager

import asyncpg

from db.engine import database_url, plain_url
from db.indexes import GATEWAY_INDEXES
from db.preflight import inspect_schema
from db.triggers import TRIGGERS, triggers_sql


@asynccontextmanager
async def connected_as(database):
    connection = await asyncpg.connect(plain_url(database_url(database)))
    try:
        yield connection
    finally:
        await connection.close()


async def report_on(platform):
    async with connected_as(platform.database) as connection:
        return await inspect_schema(connection, platform.database.schema_name)


async def test_a_schema_set_up_by_db_grants_can_serve(bare_platform):
    report = await report_on(bare_platform)

    assert report.problems == ()
    assert report.can_serve


async def test_each_missing_trigger_and_index_is_one_warning(bare_platform):
    report = await report_on(bare_platform)

    assert len(report.warnings) == len(TRIGGERS) + len(GATEWAY_INDEXES)
    assert all(f"Trigger {trigger} on {table} is missing" in " ".join(report.warnings) for table, trigger in TRIGGERS)
    assert "`python -m db indexes` prints the SQL" in report.warnings[-1]


async def test_installed_triggers_leave_no_trigger_warning(bare_platform):
    await bare_platform.execute(triggers_sql(schema=bare_platform.database.schema_name))

    report = await report_on(bare_platform)

    assert [w for w in report.warnings if w.startswith("Trigger")] == []


async def test_row_level_security_without_a_policy_for_the_role_is_a_problem_naming_table_and_role(bare_platform):
    schema = bare_platform.database.schema_name
    await bare_platform.execute(f"DROP POLICY flowgate_read ON {schema}.data_imports")

    report = await report_on(bare_platform)

    assert report.problems == (
        f"Row-level security on {schema}.data_imports hides every row from role {bare_platform.role} (no FOR SELECT"
        f" policy for it, no BYPASSRLS): `python -m db grants --role {bare_platform.role}` prints the SQL.",
    )


async def test_bypassrls_answers_row_level_security_without_policies(bare_platform):
    schema = bare_platform.database.schema_name
    await bare_platform.execute(f"DROP POLICY flowgate_read ON {schema}.data_imports")
    await bare_platform.execute(f"ALTER ROLE {bare_platform.role} BYPASSRLS")
    try:
        report = await report_on(bare_platform)
    finally:
        await bare_platform.execute(f"ALTER ROLE {bare_platform.role} NOBYPASSRLS")

    assert report.problems == ()


async def test_a_table_the_role_may_not_read_is_a_problem(bare_platform):
    schema = bare_platform.database.schema_name
    await bare_platform.execute(f"REVOKE SELECT ON {schema}.discovery_flows FROM {bare_platform.role}")

    report = await report_on(bare_platform)

    assert report.problems == (
        f"Role {bare_platform.role} may not SELECT from {schema}.discovery_flows: `python -m db grants --role {bare_platform.role}` prints the SQL.",
    )


async def test_a_missing_table_and_a_missing_column_are_problems(bare_platform):
    schema = bare_platform.database.schema_name
    await bare_platform.execute(f"DROP TABLE {schema}.user_account_associations")
    await bare_platform.execute(f"ALTER TABLE {schema}.raw_import_records DROP COLUMN processed_at")

    report = await report_on(bare_platform)

    assert set(report.problems) == {
        f"Table {schema}.user_account_associations is missing.",
        f"Column {schema}.raw_import_records.processed_at is missing.",
    }
