"""What one record page costs on the platform's own schema without the indexes `db indexes` recommends, and with them (issue 15 §2).

    make bench PLATFORM=1        # the usual bench, then this section

For each size (records per tenant), `tests.bench.platform_load` builds the
platform's schema with the bench tenant's records and a neighbour's.  The
gateway is served as the role `db grants` set up (AUTH_MODE jwt, a token for
the bench tenant), and two record pages of one flow's import are measured,
taking turns request by request: the first 50 records, and 50 after a cursor
500 records in.  Each is measured as GraphQL over HTTP (what an operator's
users wait for) and as the gateway's record-page statement alone
(`raw_record_pages` on the same role), and EXPLAINed as the gateway sends it.
Then the SQL that `python -m db indexes` prints is run as a DBA would run it
(CREATE INDEX CONCURRENTLY, the gateway still serving), the tables are
ANALYZEd, and the pages are measured again: their plans must now be index
scans on the page key.  Without and with run one after the other on the
same data (an index cannot be missing for one request and present for the
next; taking turns between two copies would double the load, for ratios
far above the machine's noise); the schema is dropped afterwards.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import asdict, dataclass
from functools import partial
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from db.engine import create_admin_engine, database_url
from db.indexes import recommendations
from db.queries.raw_records import BEFORE_FIRST, RecordPageKey, RecordPosition, raw_record_pages
from db.reader import Reader
from db.seed.bench import BENCH_TENANT
from db.seed.rows import TABLES_IN_INSERT_ORDER, analyze
from db.settings import DatabaseSettings, changed
from db.tables import discovery_flows
from graph.guards.auth import issue_token
from graph.schema.types.raw_record import RawImportRecord
from graph.settings import Settings
from tests.bench.load import Latency, http_calls, take_turns
from tests.bench.plans import Plan, check_record_pages, plans_of
from tests.bench.platform_load import RECORDS_PER_IMPORT, load_platform_bench
from tests.bench.queries import first_flow_id, graphql_data, graphql_request
from tests.bench.servers import PYTHON, free_port, running
from tests.platform_schema import reader_url

__all__ = ["SIZES", "measure_platform_indexes"]

SIZES = (100_000, 1_000_000)
"""Records per tenant."""

ROLE = "bench_platform_reader"
PAGE_SIZE = 50
LATER_PAGE_AFTER = 500
COUNT = 100  # timed requests per figure: a page without the index takes up to a few hundred ms
WARMUP = 10
_COLUMNS = RawImportRecord.columns_for(("rowNumber", "rawData", "isValid"))  # the record fields RECORD_PAGE selects

RECORD_PAGE = """
query RecordPage($flowId: UUID!, $records: Int!, $after: String) {
  masterFlow(flowId: $flowId) {
    discovery {
      dataImport {
        rawRecords(first: $records, after: $after) {
          edges { cursor node { rowNumber rawData isValid } }
          pageInfo { hasNextPage endCursor }
        }
      }
    }
  }
}
"""


@dataclass(frozen=True)
class _Page:
    """One record page, as GraphQL variables and as the key of the gateway's statement."""

    name: str
    variables: dict[str, Any]
    key: RecordPageKey


@dataclass(frozen=True)
class _Gateway:
    """The served gateway (`port`), its settings, a reader as the same role, and the bench tenant's token."""

    port: int
    settings: Settings
    reader: Reader
    token: str


@dataclass
class PageCost:
    """One page's latency at concurrency 1 (ms), and how its plan reads `raw_import_records`."""

    records_per_tenant: int
    index: str
    page: str
    plan: str
    gateway_p50_ms: float
    gateway_p95_ms: float
    sql_p50_ms: float
    sql_p95_ms: float
    gateway_slower: float | None = None  # without the index: p50 without / p50 with
    sql_slower: float | None = None


@dataclass
class SizeCost:
    records_per_tenant: int
    load_seconds: float
    index_seconds: float
    pages: list[PageCost]


async def _pages(gateway: _Gateway, admin: AsyncEngine) -> list[_Page]:
    """The first page of the first flow the tenant sees, and the page after its first `LATER_PAGE_AFTER` records."""
    flow_id = await first_flow_id(gateway.port, gateway.token)
    skip = await graphql_data(gateway.port, gateway.token, RECORD_PAGE, {"flowId": flow_id, "records": LATER_PAGE_AFTER})
    cursor = skip["masterFlow"]["discovery"]["dataImport"]["rawRecords"]["pageInfo"]["endCursor"]
    async with admin.connect() as connection:
        import_id = (
            await connection.execute(select(discovery_flows.c.data_import_id).where(discovery_flows.c.master_flow_id == flow_id))
        ).scalar_one()
    [skipped] = await raw_record_pages(
        gateway.reader, tenant=BENCH_TENANT, keys=[RecordPageKey(import_id, BEFORE_FIRST, LATER_PAGE_AFTER, columns=frozenset())]
    )
    after = RecordPosition(skipped[-1]["row_number"], skipped[-1]["_id"])
    return [
        # The gateway reads one record more than the page, to know whether another page follows.
        _Page("first", {"flowId": flow_id, "records": PAGE_SIZE}, RecordPageKey(import_id, BEFORE_FIRST, PAGE_SIZE + 1, columns=_COLUMNS)),
        _Page("later", {"flowId": flow_id, "records": PAGE_SIZE, "after": cursor}, RecordPageKey(import_id, after, PAGE_SIZE + 1, columns=_COLUMNS)),
    ]


async def _statement(reader: Reader, key: RecordPageKey) -> bytes:
    """Run the gateway's record-page statement for `key` alone (its rows are not needed)."""
    await raw_record_pages(reader, tenant=BENCH_TENANT, keys=[key])
    return b""


def _record_reads(plans: list[Plan]) -> str:
    """How the statements of one request read raw_import_records: `Index Scan using ix_…`, `Bitmap Heap Scan + Bitmap Index Scan using ix_…`."""
    reads = dict.fromkeys(
        read.removesuffix(" on raw_import_records") for plan in plans for read in plan.reads if read.endswith(" on raw_import_records")
    )
    if not reads:
        raise RuntimeError("No statement of the record page reads raw_import_records.")
    return " + ".join(reads)


async def _measure(records: int, index: str, gateway: _Gateway, pages: list[_Page]) -> list[PageCost]:
    """Each page's plan, then its latency served and as a statement alone, all four taking turns; with the index, the plans must use it."""
    plans = await plans_of(gateway.settings, {page.name: (RECORD_PAGE, page.variables) for page in pages}, gateway.token)
    if index == "with":
        check_record_pages(plans)
    requests = [(gateway.port, graphql_request(gateway.token, RECORD_PAGE, page.variables)) for page in pages]
    async with http_calls(requests) as over_http:
        statements = [partial(_statement, gateway.reader, page.key) for page in pages]
        measured = await take_turns([*over_http, *statements], count=COUNT, warmup=WARMUP)
    served, alone = measured[: len(pages)], measured[len(pages) :]
    if failed := [latency.body[:300] for latency in served if b'"errors"' in latency.body]:
        raise RuntimeError(f"RecordPage: {failed}")
    return [
        PageCost(records, index, page.name, _record_reads(plans[page.name]), *_ms(page_served), *_ms(page_alone))
        for page, page_served, page_alone in zip(pages, served, alone, strict=True)
    ]


def _ms(measured: Latency) -> tuple[float, float]:
    return round(measured.p50_ms, 2), round(measured.p95_ms, 2)


async def _create_indexes(admin: AsyncEngine, schema: str) -> float:
    """Run what `python -m db indexes` prints for `schema` (CREATE INDEX CONCURRENTLY), then ANALYZE; seconds taken."""
    started = time.perf_counter()
    async with admin.connect() as connection:
        driver = (await connection.get_raw_connection()).driver_connection
        for statement in await recommendations(driver, schema):
            if not statement.startswith("--"):
                await driver.execute(statement)
        await analyze(connection, schema, TABLES_IN_INSERT_ORDER)
        await connection.commit()
    return time.perf_counter() - started


async def _drop(admin: DatabaseSettings) -> None:
    """Drop the schema, and the role that read it."""
    engine = create_admin_engine(admin)
    try:
        async with engine.begin() as connection:
            await connection.exec_driver_sql(f"DROP SCHEMA IF EXISTS {admin.schema_name} CASCADE")
            await connection.exec_driver_sql(f"DROP ROLE IF EXISTS {ROLE}")
    finally:
        await engine.dispose()


async def _measure_size(admin: DatabaseSettings, records: int) -> SizeCost:
    load_seconds = await load_platform_bench(admin, role=ROLE, records=records)
    imports = records // RECORDS_PER_IMPORT
    print(f"Loaded {records:,} records of the bench tenant ({imports:,} imports) and as many of a neighbour in {load_seconds:.1f} s.")
    # ERROR: the in-process app's start-up warnings (no triggers, no gateway indexes) are this section's premise, not news.
    settings = Settings(database=changed(admin, url=reader_url(database_url(admin), ROLE)), log_level="ERROR")
    gateway = _Gateway(free_port(), settings, await Reader.connect(settings.database), issue_token(settings, BENCH_TENANT))
    serve = [PYTHON, "-m", "graph", "serve", "--workers", "1"]
    environment = {"HOST": "127.0.0.1", "DATABASE_URL": str(settings.database.url), "DB_SCHEMA": admin.schema_name}
    engine = create_admin_engine(admin)
    try:
        with running(serve, gateway.port, environment):
            pages = await _pages(gateway, engine)
            without = await _measure(records, "without", gateway, pages)
            index_seconds = await _create_indexes(engine, admin.schema_name)
            print(f"Created the recommended indexes (CONCURRENTLY) and ANALYZEd in {index_seconds:.1f} s.")
            with_index = await _measure(records, "with", gateway, pages)
    finally:
        await gateway.reader.close()
        await engine.dispose()
    for slow, fast in zip(without, with_index, strict=True):
        slow.gateway_slower = round(slow.gateway_p50_ms / fast.gateway_p50_ms, 1)
        slow.sql_slower = round(slow.sql_p50_ms / fast.sql_p50_ms, 1)
    return SizeCost(records, round(load_seconds, 1), round(index_seconds, 1), [*without, *with_index])


def _print_table(sizes: list[SizeCost]) -> None:
    print(f"\nOne record page ({PAGE_SIZE} records) on the platform's schema, without and with the indexes `db indexes` recommends")
    header = f"{'records/tenant':>14} {'index':7} {'page':5} {'gateway p50/p95 ms':>19} {'SQL p50/p95 ms':>17} {'x slower gw/SQL':>16}"
    print(f"{header}  reads raw_import_records by")
    for size in sizes:
        for row in size.pages:
            slower = f"{row.gateway_slower}/{row.sql_slower}" if row.gateway_slower is not None else ""
            print(
                f"{row.records_per_tenant:>14,} {row.index:7} {row.page:5} {row.gateway_p50_ms:>8.2f}/{row.gateway_p95_ms:<10.2f}"
                f" {row.sql_p50_ms:>7.2f}/{row.sql_p95_ms:<9.2f} {slower:>16}  {row.plan}"
            )


def measure_platform_indexes(sizes: tuple[int, ...] = SIZES) -> dict[str, Any]:
    """Measure a record page at each of `sizes` records per tenant, print the table, and return it for `.bench/results.json`.

    Each size's schema is `bench_platform_<size>`, read by role `bench_platform_reader`; both are dropped when done (whatever happens).
    Raises `tests.bench.plans.RecordPageNotIndexed` when a page with the indexes is not an index scan on the page key.
    """
    results = []
    for records in sizes:
        admin = changed(DatabaseSettings.from_env(), schema_name=f"bench_platform_{records}")
        try:
            results.append(asyncio.run(_measure_size(admin, records)))
        finally:
            asyncio.run(_drop(admin))
    _print_table(results)
    return {
        "records_per_import": RECORDS_PER_IMPORT,
        "page_size": PAGE_SIZE,
        "later_page_after": LATER_PAGE_AFTER,
        "sizes": [asdict(size) for size in results],
    }
