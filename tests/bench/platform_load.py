"""The platform's own schema at bench size: the bench tenant's records and a neighbour tenant's as many, ANALYZEd.

`load_platform_bench` builds the platform's tables (`tests.platform_schema`,
with its RLS and a login role granted by `db grants`), loads the bench
tenant with `db.seed.bench.load_bench_tenant` through the platform's own
rows (`PlatformRows`), then copies its imports and records to a neighbour
tenant in one INSERT … SELECT.  The neighbour makes the bench tenant's
records a part of the table, as on a database with many tenants: without the
gateway's index, the planner then weighs a bitmap scan of the tenant's
records through the platform's tenant index
(`ix_raw_import_records_tenant_composite`) against a scan of the whole
table, as it would there.  Each tenant's records lie together in the heap
here, so a bitmap scan reads no more blocks than its tenant's: on the
platform, where many tenants write over time, it can only read more.
"""

from __future__ import annotations

import time
from uuid import UUID

from sqlalchemy import Table, text
from sqlalchemy.ext.asyncio import AsyncConnection

from db.engine import create_admin_engine
from db.seed.bench import load_bench_tenant
from db.seed.rows import TABLES_IN_INSERT_ORDER, Row, analyze
from db.settings import DatabaseSettings
from db.tenancy import Tenant
from tests.platform_schema import PlatformRows, build

__all__ = ["NEIGHBOUR", "RECORDS_PER_IMPORT", "load_platform_bench"]

RECORDS_PER_IMPORT = 2_000
"""The size of each of the bench tenant's imports (one per discovery flow): a CMDB export of a mid-sized estate."""

NEIGHBOUR = Tenant(UUID("be7c0000-0000-4000-8000-0000000000b1"), UUID("be7c0000-0000-4000-8000-0000000000b2"))

_NEIGHBOUR_COPY = (
    "INSERT INTO {schema}.client_accounts (id) VALUES (:client_account_id)",
    "INSERT INTO {schema}.engagements (id, client_account_id) VALUES (:engagement_id, :client_account_id)",
    "INSERT INTO {schema}.data_imports (id, client_account_id, engagement_id, import_name, import_type, filename, imported_by)"
    " SELECT md5('neighbour/' || id)::uuid, :client_account_id, :engagement_id, import_name, import_type, filename, imported_by"
    " FROM {schema}.data_imports",
    "INSERT INTO {schema}.raw_import_records (id, data_import_id, client_account_id, engagement_id, row_number, raw_data)"
    " SELECT gen_random_uuid(), md5('neighbour/' || data_import_id)::uuid, :client_account_id, :engagement_id, row_number, raw_data"
    " FROM {schema}.raw_import_records",
)


async def load_platform_bench(admin: DatabaseSettings, *, role: str, records: int) -> float:
    """(Re)build `admin.schema_name` as the platform's schema holding `records` records of the bench tenant; seconds taken.

    The bench tenant gets `records // RECORDS_PER_IMPORT` discovery flows,
    each with an import of `RECORDS_PER_IMPORT` records; `NEIGHBOUR` gets
    copies of them.  `role` logs in and reads as `db grants` allows.  Every
    table is ANALYZEd.  Raises ValueError unless `records` is a positive
    multiple of `RECORDS_PER_IMPORT`.
    """
    if records <= 0 or records % RECORDS_PER_IMPORT:
        raise ValueError(f"The records per tenant must be a positive multiple of {RECORDS_PER_IMPORT:,}, not {records:,}.")
    schema = admin.schema_name
    platform = PlatformRows(schema)

    async def write(connection: AsyncConnection, table: Table, rows: list[Row]) -> None:
        await platform.insert(connection, table.name, rows)

    started = time.perf_counter()
    engine = create_admin_engine(admin)
    try:
        async with engine.begin() as connection:
            await build(connection, schema=schema, role=role, triggers=False)
            await load_bench_tenant(connection, schema, flows=records // RECORDS_PER_IMPORT, records=RECORDS_PER_IMPORT, write=write)
            for statement in _NEIGHBOUR_COPY:
                await connection.execute(text(statement.format(schema=schema)), NEIGHBOUR.columns())
        async with engine.begin() as connection:
            await analyze(connection, schema, TABLES_IN_INSERT_ORDER)
    finally:
        await engine.dispose()
    return time.perf_counter() - started
