"""The benchmark dataset: one tenant with N discovery flows of M raw records each.

Raw records go in through PostgreSQL COPY in bounded chunks, so memory stays
flat however large N × M grows; flows are inserted in batches alongside.
`load_bench_tenant` writes the rows through any connection and any row
writer (the platform's own tables require more columns than Flowgate's
migration: its tests pass a writer that adds them); `seed_bench` is it on
Flowgate's migration, replacing the tenant's rows.
"""

from __future__ import annotations

import random
import sys
import time
import uuid
from collections.abc import Awaitable, Callable, Iterator
from datetime import timedelta
from itertools import islice
from uuid import UUID

import orjson
from asyncpg import Connection
from sqlalchemy import Table
from sqlalchemy.ext.asyncio import AsyncConnection

from db.engine import create_admin_engine
from db.seed.cmdb import cmdb_record
from db.seed.demo import BASE_TIME, seed_uuid
from db.seed.rows import (
    TABLES_IN_INSERT_ORDER,
    Row,
    Tenant,
    analyze,
    data_import_row,
    delete_tenants,
    discovery_flow_row,
    discovery_progress,
    insert_rows,
    master_flow_row,
)
from db.settings import DatabaseSettings
from db.tables import data_imports, discovery_flows, master_flows, raw_import_records

__all__ = ["BENCH_TENANT", "RowWriter", "load_bench_tenant", "seed_bench"]

BENCH_TENANT = Tenant(
    UUID("be7c0000-0000-4000-8000-000000000001"),
    UUID("be7c0000-0000-4000-8000-000000000002"),
)
_FLOWS_PER_BATCH = 1_000
_RECORDS_PER_COPY = 20_000
# The platform's raw_import_records.id has no default: IDs are made here, for either schema.
_RECORD_COLUMNS = ("id", "data_import_id", "client_account_id", "engagement_id", "row_number", "raw_data")
_BAR_WIDTH = 30

RowWriter = Callable[[AsyncConnection, Table, list[Row]], Awaitable[None]]
"""Writes rows into a table through a connection, as `db.seed.rows.insert_rows` does."""


class _Progress:
    """A self-updating line on stderr: bar, percentage and rows per second."""

    def __init__(self, total: int) -> None:
        self.total = total
        self.done = 0
        self.started = time.perf_counter()

    def advance(self, rows: int) -> None:
        self.done += rows
        share = self.done / self.total if self.total else 1.0
        elapsed = time.perf_counter() - self.started
        rate = self.done / elapsed if elapsed > 0 else 0.0
        bar = ("#" * round(share * _BAR_WIDTH)).ljust(_BAR_WIDTH, ".")
        sys.stderr.write(f"\rraw records [{bar}] {share:6.1%}  {self.done:,}/{self.total:,}  {rate:,.0f} rows/s")
        sys.stderr.flush()

    def finish(self) -> None:
        sys.stderr.write("\n")


def _flow_id(number: int) -> UUID:
    return seed_uuid(f"bench/flow/{number}")


def _import_id(number: int) -> UUID:
    return seed_uuid(f"bench/import/{number}")


async def _insert_flows(connection: AsyncConnection, numbers: range, records: int, write: RowWriter) -> None:
    """Insert the master flow, cmdb import and discovery row of each flow in `numbers`."""
    masters, imports, discoveries = [], [], []
    for number in numbers:
        created_at = BASE_TIME + timedelta(minutes=number)
        updated_at = created_at + timedelta(seconds=30)
        timestamps = {"created_at": created_at, "updated_at": updated_at}
        name = f"Bench discovery {number + 1}"
        masters.append(
            master_flow_row(
                BENCH_TENANT,
                id=seed_uuid(f"bench/flow-row/{number}"),
                flow_id=_flow_id(number),
                flow_name=name,
                flow_status="completed",
                **timestamps,
            )
        )
        imports.append(
            data_import_row(
                BENCH_TENANT,
                id=_import_id(number),
                master_flow_id=_flow_id(number),
                import_name=f"Bench CMDB export {number + 1}",
                filename=f"bench-{number + 1:06d}.csv",
                file_size=512 + 190 * records,
                total_records=records,
                processed_records=records,
                **timestamps,
            )
        )
        discoveries.append(
            discovery_flow_row(
                BENCH_TENANT,
                master_flow_id=_flow_id(number),
                data_import_id=_import_id(number),
                id=seed_uuid(f"bench/discovery/{number}"),
                flow_id=seed_uuid(f"bench/discovery-flow/{number}"),
                flow_name=name,
                status="completed",
                assessment_ready=True,
                completed_at=updated_at,
                **discovery_progress(100.0),
                **timestamps,
            )
        )
    await write(connection, master_flows, masters)
    await write(connection, data_imports, imports)
    await write(connection, discovery_flows, discoveries)


def _record_tuples(rng: random.Random, numbers: range, records: int) -> Iterator[tuple[object, ...]]:
    """The raw records of each flow in `numbers`, as COPY rows in `_RECORD_COLUMNS` order."""
    client, engagement = BENCH_TENANT.client_account_id, BENCH_TENANT.engagement_id
    for number in numbers:
        import_id = _import_id(number)
        for row_number in range(1, records + 1):
            raw_data = orjson.dumps(cmdb_record(rng, row_number)).decode()
            yield uuid.uuid4(), import_id, client, engagement, row_number, raw_data


async def _copy_records(driver: Connection, schema: str, rows: Iterator[tuple[object, ...]], count: int, progress: _Progress) -> None:
    """COPY the `count` rows of `rows` in chunks; each is generated while the server takes it in."""
    for first in range(0, count, _RECORDS_PER_COPY):
        size = min(_RECORDS_PER_COPY, count - first)
        await driver.copy_records_to_table(raw_import_records.name, records=islice(rows, size), columns=_RECORD_COLUMNS, schema_name=schema)
        progress.advance(size)


async def load_bench_tenant(connection: AsyncConnection, schema: str, *, flows: int, records: int, write: RowWriter = insert_rows) -> None:
    """Add `BENCH_TENANT`'s `flows` discovery flows of `records` raw records each to `schema`, in `connection`'s transaction.

    `write` inserts each flow's master row, discovery row and cmdb import
    (`master_flow_id` agrees with the bridge); the records go in by COPY,
    numbered 1..`records` per import.  Flow and import IDs and record
    contents are deterministic; record IDs are random.  Neither deletes nor
    ANALYZEs.  Progress goes to stderr.  Raises ValueError when `flows` or
    `records` is negative.
    """
    if flows < 0 or records < 0:
        raise ValueError("The number of flows and of records per flow must not be negative.")
    rng = random.Random("flowgate-bench")
    progress = _Progress(total=flows * records)
    progress.advance(0)
    driver = (await connection.get_raw_connection()).driver_connection
    try:
        for first in range(0, flows, _FLOWS_PER_BATCH):
            numbers = range(first, min(first + _FLOWS_PER_BATCH, flows))
            await _insert_flows(connection, numbers, records, write)
            rows = _record_tuples(rng, numbers, records)
            await _copy_records(driver, schema, rows, len(numbers) * records, progress)
    finally:
        progress.finish()


async def seed_bench(settings: DatabaseSettings, *, flows: int, records: int) -> str:
    """Replace `BENCH_TENANT`'s rows in Flowgate's migration with `flows` discovery flows of `records` raw records each.

    Idempotent: one transaction deletes the tenant's rows, then loads them
    (`load_bench_tenant`).  The tables are ANALYZEd after the load.  Returns
    a summary.  Raises ValueError when `flows` or `records` is negative.
    """
    started = time.perf_counter()
    engine = create_admin_engine(settings)
    try:
        async with engine.begin() as connection:
            await delete_tenants(connection, [BENCH_TENANT])
            await load_bench_tenant(connection, settings.schema_name, flows=flows, records=records)
        async with engine.begin() as connection:
            await analyze(connection, settings.schema_name, TABLES_IN_INSERT_ORDER)
    finally:
        await engine.dispose()
    elapsed = time.perf_counter() - started
    return (
        f"Seeded the bench tenant (client {BENCH_TENANT.client_account_id}, engagement "
        f"{BENCH_TENANT.engagement_id}) into schema {settings.schema_name!r}: {flows:,} master flows, "
        f"{flows:,} discovery flows, {flows:,} data imports and {flows * records:,} raw records "
        f"in {elapsed:.1f} s ({flows * records / elapsed:,.0f} records/s)."
    )
