"""The discovery pages beyond mappings: the flow's JSON state, its next phase, cleansing, conflicts, assets, and the master flow's import."""

from __future__ import annotations

import uuid

from db.seed.rows import (
    asset_conflict_row,
    asset_row,
    cleansing_recommendation_row,
    data_import_row,
    discovery_flow_row,
    discovery_progress,
    master_flow_row,
    raw_record_row,
)
from db.tables import (
    asset_conflict_resolutions,
    assets,
    data_cleansing_recommendations,
    data_imports,
    discovery_flows,
    master_flows,
    raw_import_records,
)


async def _flow(db, tenant, *, discovery=None, master=None):
    flow, imported = master_flow_row(tenant, **(master or {})), data_import_row(tenant)
    bridge = discovery_flow_row(tenant, master_flow_id=flow["flow_id"], data_import_id=imported["id"], **(discovery or {}))
    await db.insert(master_flows, [flow])
    await db.insert(data_imports, [imported])
    await db.insert(discovery_flows, [bridge])
    return flow, imported, bridge


DISCOVERY = """
query ($id: UUID!) { masterFlow(flowId: $id) { importCategory filename discovery { nextPhase phaseState agentInsights errorDetails } } }
"""


async def test_the_phase_state_loses_the_import_id_the_platform_writes_into_it(db, graphql, tenant):
    import_id = str(uuid.uuid4())
    state = {"conflict_resolution_pending": True, "conflict_metadata": {"conflict_count": 2, "data_import_id": import_id, "paused_at": "2026-01-01"}}
    flow, _, _ = await _flow(db, tenant, discovery={"phase_state": state})

    body = await graphql.query(DISCOVERY, tenant, {"id": str(flow["flow_id"])})

    assert body["data"]["masterFlow"]["discovery"]["phaseState"] == {
        "conflict_resolution_pending": True,
        "conflict_metadata": {"conflict_count": 2, "paused_at": "2026-01-01"},
    }
    assert import_id not in str(body)


async def test_agent_insights_come_from_the_crewai_state_and_uuid_values_go_at_any_depth(db, graphql, tenant):
    hidden = str(uuid.uuid4())
    insights = [{"agent": "DataImportValidationExecutor", "insight": "3 columns empty", "confidence": 0.8, "seen_in": [hidden, "row 4"]}]
    flow, _, _ = await _flow(db, tenant, discovery={"crewai_state_data": {"agent_insights": insights, "other": {"raw_import_record_id": hidden}}})

    discovery = (await graphql.data(DISCOVERY, tenant, {"id": str(flow["flow_id"])}))["masterFlow"]["discovery"]

    assert discovery["agentInsights"] == [
        {"agent": "DataImportValidationExecutor", "insight": "3 columns empty", "confidence": 0.8, "seen_in": ["row 4"]}
    ]
    assert discovery["errorDetails"] is None


async def test_the_next_phase_is_the_first_not_completed_and_null_when_all_are(db, graphql, tenant):
    halfway, _, _ = await _flow(db, tenant, discovery=discovery_progress(40.0))
    done, _, _ = await _flow(db, tenant, discovery=discovery_progress(100.0))

    phases = [
        (await graphql.data(DISCOVERY, tenant, {"id": str(flow["flow_id"])}))["masterFlow"]["discovery"]["nextPhase"] for flow in (halfway, done)
    ]

    assert phases == ["FIELD_MAPPING", None]


async def test_import_category_and_filename_come_from_the_configuration_and_its_ids_never(db, graphql, tenant):
    import_id = str(uuid.uuid4())
    configuration = {
        "source": "data_import",
        "data_import_id": import_id,
        "import_id": import_id,
        "filename": "servers.csv",
        "import_category": "cmdb_export",
    }
    flow, _, _ = await _flow(db, tenant, master={"flow_configuration": configuration})

    body = await graphql.query(DISCOVERY, tenant, {"id": str(flow["flow_id"])})

    assert (body["data"]["masterFlow"]["importCategory"], body["data"]["masterFlow"]["filename"]) == ("cmdb_export", "servers.csv")
    assert import_id not in str(body)


async def test_the_category_the_platforms_fallback_path_nests_under_metadata_is_found(db, graphql, tenant):
    flow, _, _ = await _flow(db, tenant, master={"flow_configuration": {"metadata": {"import_category": "app_discovery"}}})

    master = (await graphql.data(DISCOVERY, tenant, {"id": str(flow["flow_id"])}))["masterFlow"]

    assert (master["importCategory"], master["filename"]) == ("app_discovery", None)


async def test_the_active_filter_leaves_out_the_platforms_six_finished_statuses(db, graphql, tenant):
    statuses = ["active", "running", "paused", "completed", "failed", "error", "deleted", "cancelled", "child_flows_deleted", "legacy_status"]
    await db.insert(master_flows, [master_flow_row(tenant, flow_status=status, flow_name=status) for status in statuses])

    active = await graphql.data("{ masterFlows(filter: {active: true}) { nodes { name } } }", tenant)
    inactive = await graphql.data("{ masterFlows(filter: {active: false}) { nodes { name } } }", tenant)

    assert sorted(node["name"] for node in active["masterFlows"]["nodes"]) == ["active", "legacy_status", "paused", "running"]
    assert sorted(node["name"] for node in inactive["masterFlows"]["nodes"]) == ["cancelled", "child_flows_deleted", "completed", "error", "failed"]


FINDINGS = """
query ($id: UUID!, $recommendations: CleansingRecommendationFilter, $conflicts: AssetConflictFilter) {
  masterFlow(flowId: $id) { discovery {
    cleansingRecommendations(filter: $recommendations) { totalCount nodes { title priority status } }
    assetConflicts(filter: $conflicts) { totalCount nodes { conflictKey status existingAsset newAsset } }
  } }
}
"""


async def test_recommendations_hang_off_the_flow_id_and_conflicts_off_the_row_id(db, graphql, tenant):
    # A legacy row: its flow_id differs from its row id, so a list keyed by the wrong one finds nothing (or the decoy).
    flow, _, bridge = await _flow(db, tenant)
    _, _, decoy_bridge = await _flow(db, tenant, discovery={"id": bridge["flow_id"], "flow_id": uuid.uuid4()})
    existing = asset_row(tenant, name="web-01")
    await db.insert(assets, [existing])
    await db.insert(
        data_cleansing_recommendations,
        [
            cleansing_recommendation_row(tenant, flow_id=bridge["flow_id"], title="ours"),
            cleansing_recommendation_row(tenant, flow_id=decoy_bridge["flow_id"], title="decoy's"),
        ],
    )
    await db.insert(
        asset_conflict_resolutions,
        [
            asset_conflict_row(tenant, discovery_flow_id=bridge["id"], existing_asset_id=existing["id"], conflict_key="ours"),
            asset_conflict_row(tenant, discovery_flow_id=decoy_bridge["id"], existing_asset_id=existing["id"], conflict_key="decoy's"),
        ],
    )

    discovery = (await graphql.data(FINDINGS, tenant, {"id": str(flow["flow_id"])}))["masterFlow"]["discovery"]

    assert [node["title"] for node in discovery["cleansingRecommendations"]["nodes"]] == ["ours"]
    assert [node["conflictKey"] for node in discovery["assetConflicts"]["nodes"]] == ["ours"]


async def test_conflict_snapshots_come_without_the_asset_ids(db, graphql, tenant):
    flow, _, bridge = await _flow(db, tenant)
    existing = asset_row(tenant, name="web-01")
    await db.insert(assets, [existing])
    snapshot = {"id": str(existing["id"]), "name": "web-01", "hostname": "web-01"}
    new_data = {"name": "web-01", "raw_import_records_id": str(uuid.uuid4()), "master_flow_id": str(flow["flow_id"]), "cpu_cores": 4}
    await db.insert(
        asset_conflict_resolutions,
        [
            asset_conflict_row(
                tenant,
                discovery_flow_id=bridge["id"],
                existing_asset_id=existing["id"],
                conflict_key="web-01",
                existing_asset_snapshot=snapshot,
                new_asset_data=new_data,
            )
        ],
    )

    body = await graphql.query(FINDINGS, tenant, {"id": str(flow["flow_id"])})

    [conflict] = body["data"]["masterFlow"]["discovery"]["assetConflicts"]["nodes"]
    assert conflict["existingAsset"] == {"name": "web-01", "hostname": "web-01"}
    assert conflict["newAsset"] == {"name": "web-01", "cpu_cores": 4}
    assert str(existing["id"]) not in str(body)


async def test_recommendations_filter_by_status_and_priority_together(db, graphql, tenant):
    flow, _, bridge = await _flow(db, tenant)
    rows = [("a", "high", "pending"), ("b", "high", "applied"), ("c", "medium", "pending"), ("d", "urgent", "pending")]
    await db.insert(
        data_cleansing_recommendations,
        [cleansing_recommendation_row(tenant, flow_id=bridge["flow_id"], title=t, priority=p, status=s) for t, p, s in rows],
    )

    variables = {"id": str(flow["flow_id"]), "recommendations": {"statuses": ["PENDING"], "priorities": ["HIGH", "UNKNOWN"]}}
    page = (await graphql.data(FINDINGS, tenant, variables))["masterFlow"]["discovery"]["cleansingRecommendations"]

    assert [(node["title"], node["priority"]) for node in page["nodes"]] == [("a", "HIGH"), ("d", "UNKNOWN")]
    assert page["totalCount"] == 2


ASSETS = """
query ($id: UUID!) { masterFlow(flowId: $id) { discovery { dataImport { rawRecords { nodes { rowNumber asset { name assetType } } } } } } }
"""


async def test_a_records_asset_is_the_one_it_names_else_the_newest_naming_it_and_never_a_deleted_one(db, graphql, tenant, other_tenant):
    flow, imported, _ = await _flow(db, tenant)
    records = [raw_record_row(tenant, data_import_id=imported["id"], row_number=n, raw_data={"n": n}, asset_id=None) for n in (1, 2, 3, 4)]
    named = asset_row(tenant, name="named")
    records[0]["asset_id"] = named["id"]
    await db.insert(raw_import_records, records)
    await db.insert(
        assets,
        [
            named,
            asset_row(tenant, name="naming-first", raw_import_records_id=records[0]["id"]),  # loses to the record's own link
            asset_row(tenant, name="naming-old", raw_import_records_id=records[1]["id"], created_at=None),
            asset_row(tenant, name="naming-new", raw_import_records_id=records[1]["id"]),
            asset_row(tenant, name="deleted", raw_import_records_id=records[2]["id"], deleted_at=named["created_at"]),
            asset_row(other_tenant, name="theirs", raw_import_records_id=records[3]["id"]),
        ],
    )

    nodes = (await graphql.data(ASSETS, tenant, {"id": str(flow["flow_id"])}))["masterFlow"]["discovery"]["dataImport"]["rawRecords"]["nodes"]

    assert [node["asset"] and node["asset"]["name"] for node in nodes] == ["named", "naming-new", None, None]
