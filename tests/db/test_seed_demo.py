"""The demo dataset: idempotent, and it springs every ID trap the gateway must resist; both seeds leave planner statistics."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import text

from db.seed.bench import seed_bench
from db.seed.demo import DEMO_FLOW_ID, DEMO_TENANT, OTHER_TENANT, seed_demo
from db.tables import (
    asset_conflict_resolutions,
    assets,
    data_cleansing_recommendations,
    data_imports,
    discovery_flows,
    import_field_mappings,
    master_flows,
    raw_import_records,
)

pytestmark = pytest.mark.flowgate_schema_only  # the demo seeds Flowgate's own migration

ROOT = Path(__file__).resolve().parents[2]
TABLES = (
    master_flows,
    discovery_flows,
    data_imports,
    raw_import_records,
    import_field_mappings,
    assets,
    data_cleansing_recommendations,
    asset_conflict_resolutions,
)
ATTRIBUTE_MAPPING = (ROOT / "tests" / "operations" / "attribute_mapping.graphql").read_text()


async def _fingerprint(admin_engine, schema: str) -> dict[str, tuple[int, str]]:
    """Row count and a digest of every table's rows in primary-key order."""
    prints = {}
    async with admin_engine.connect() as connection:
        for table in TABLES:
            statement = text(f"SELECT count(*), md5(string_agg(t::text, '' ORDER BY t.id)) FROM {schema}.{table.name} t")
            prints[table.name] = tuple((await connection.execute(statement)).one())
    return prints


async def test_seeding_the_demo_twice_leaves_identical_rows(settings, admin_engine):
    await seed_demo(settings.database)
    first = await _fingerprint(admin_engine, settings.database.schema_name)
    await seed_demo(settings.database)

    assert await _fingerprint(admin_engine, settings.database.schema_name) == first
    assert first["raw_import_records"][0] > 2000


async def test_the_showcase_flow_shows_its_linked_cmdb_import_not_the_newer_one_claiming_it(settings, graphql):
    await seed_demo(settings.database)

    data = await graphql.data(
        "query ($id: UUID!) { masterFlow(flowId: $id) { discovery { dataImport { name importType } } } }",
        DEMO_TENANT,
        {"id": str(DEMO_FLOW_ID)},
    )

    assert data == {"masterFlow": {"discovery": {"dataImport": {"name": "Frankfurt DC1 CMDB export", "importType": "CMDB"}}}}


async def test_the_showcase_flow_is_invisible_to_another_engagement_of_its_client(settings, graphql):
    await seed_demo(settings.database)

    data = await graphql.data("query ($id: UUID!) { masterFlow(flowId: $id) { flowId } }", OTHER_TENANT, {"id": str(DEMO_FLOW_ID)})

    assert data == {"masterFlow": None}


async def test_the_demo_tenant_lists_every_flow_type_including_an_unknown_one(settings, graphql):
    await seed_demo(settings.database)

    data = await graphql.data("{ masterFlows(first: 100) { nodes { flowType status } } }", DEMO_TENANT)

    types = {node["flowType"] for node in data["masterFlows"]["nodes"]}
    statuses = {node["status"] for node in data["masterFlows"]["nodes"]}
    assert types == {
        "DISCOVERY",
        "ASSESSMENT",
        "COLLECTION",
        "PLANNING",
        "EXECUTION",
        "MODERNIZE",
        "FINOPS",
        "OBSERVABILITY",
        "DECOMMISSION",
        "UNKNOWN",
    }
    assert len(statuses) == 10


async def test_the_showcase_flow_has_field_mappings_in_every_status_from_one_query(settings, graphql):
    await seed_demo(settings.database)

    data = await graphql.data(ATTRIBUTE_MAPPING, DEMO_TENANT, {"flowId": str(DEMO_FLOW_ID)})

    discovery = data["masterFlow"]["discovery"]
    mappings = discovery["dataImport"]["fieldMappings"]
    assert {node["status"] for node in mappings["nodes"]} == {"APPROVED", "SUGGESTED", "REJECTED", "PENDING", "UNMAPPED"}
    assert mappings["totalCount"] == len(mappings["nodes"]) == discovery["dataImport"]["fieldMappingSummary"]["total"]
    assert discovery["dataImport"]["fieldMappingSummary"] == {
        "total": 13,
        "approved": 4,
        "suggested": 5,
        "rejected": 1,
        "pending": 2,
        "unmapped": 1,
        "unknown": 0,
    }
    assert discovery["nextPhase"] == "FIELD_MAPPING"


async def test_the_showcase_flow_state_is_served_without_the_import_id_the_platform_writes_there(settings, graphql):
    await seed_demo(settings.database)

    data = await graphql.data(ATTRIBUTE_MAPPING, DEMO_TENANT, {"flowId": str(DEMO_FLOW_ID)})

    state = data["masterFlow"]["discovery"]["phaseState"]
    assert state["conflict_resolution_pending"] is True
    assert "data_import_id" not in state["conflict_metadata"]
    assert [insight["agent"] for insight in data["masterFlow"]["discovery"]["agentInsights"]] == [
        "Data Validation Agent",
        "Attribute Mapping Agent",
    ]


async def test_the_showcase_flow_has_recommendations_a_conflict_and_assets_behind_its_records(settings, graphql):
    await seed_demo(settings.database)

    data = await graphql.data(
        """query ($id: UUID!) { masterFlow(flowId: $id) { discovery {
             cleansingRecommendations { totalCount nodes { status } }
             assetConflicts { nodes { conflictType existingAsset newAsset } }
             dataImport { rawRecords(first: 30, filter: { isValid: true }) { nodes { cleansedData asset { hostname } } } }
           } } }""",
        DEMO_TENANT,
        {"id": str(DEMO_FLOW_ID)},
    )

    discovery = data["masterFlow"]["discovery"]
    assert {node["status"] for node in discovery["cleansingRecommendations"]["nodes"]} == {"APPLIED", "PENDING", "REJECTED"}
    (conflict,) = discovery["assetConflicts"]["nodes"]
    assert conflict["existingAsset"]["hostname"] == conflict["newAsset"]["hostname"]
    assert "id" not in conflict["existingAsset"] and "raw_import_records_id" not in conflict["newAsset"]
    records = discovery["dataImport"]["rawRecords"]["nodes"]
    assert [record["asset"]["hostname"] for record in records[:24]] == [record["cleansedData"]["hostname"] for record in records[:24]]
    assert records[24]["asset"] is None


def test_the_migrate_and_seed_commands_run_against_the_configured_schema(settings):
    env = {**os.environ, "DB_SCHEMA": settings.database.schema_name}
    for command in (["migrate"], ["seed", "demo"]):
        done = subprocess.run([sys.executable, "-m", "db", *command], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stderr
    assert f"schema '{settings.database.schema_name}'" in done.stdout
    assert str(DEMO_FLOW_ID) in done.stdout


async def test_seeding_the_demo_leaves_statistics_for_the_planner(settings, admin_engine):
    started = await _clock(admin_engine)

    await seed_demo(settings.database)

    assert await _analyzed_since(admin_engine, settings.database.schema_name, started) == {table.name for table in TABLES}


async def test_seeding_the_bench_leaves_statistics_for_the_planner(settings, admin_engine):
    # Right after a bulk load the planner has none, and pages records with a bitmap scan and a sort.
    started = await _clock(admin_engine)

    await seed_bench(settings.database, flows=2, records=3)

    assert await _analyzed_since(admin_engine, settings.database.schema_name, started) == {table.name for table in TABLES}


async def _clock(admin_engine):
    async with admin_engine.connect() as connection:
        return (await connection.execute(text("SELECT clock_timestamp()"))).scalar_one()


async def _analyzed_since(admin_engine, schema: str, started) -> set[str]:
    """The seeded tables of `schema` explicitly ANALYZEd after `started`."""
    async with admin_engine.connect() as connection:
        rows = await connection.execute(
            text("SELECT relname FROM pg_stat_user_tables WHERE schemaname = :schema AND last_analyze > :started"),
            {"schema": schema, "started": started},
        )
        return {name for (name,) in rows} & {table.name for table in TABLES}
