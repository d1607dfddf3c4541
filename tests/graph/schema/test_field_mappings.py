"""The attribute-mapping page: an import's field mappings and their summary, reached from the master flow ID."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from db.queries.field_mappings import MAPPING_STATUS
from db.seed.rows import data_import_row, discovery_flow_row, field_mapping_row, master_flow_row
from db.tables import data_imports, discovery_flows, import_field_mappings, master_flows
from graph.schema.types.enums import FieldMappingStatus

T0 = datetime(2026, 1, 1, tzinfo=UTC)

MAPPINGS = """
query ($id: UUID!, $first: Int, $after: String, $filter: FieldMappingFilter) {
  masterFlow(flowId: $id) { discovery { dataImport {
    fieldMappings(first: $first, after: $after, filter: $filter) {
      totalCount
      edges { cursor node { sourceField targetField status statusRaw } }
      pageInfo { hasNextPage endCursor }
    }
  } } }
}
"""

SUMMARY = """
query ($id: UUID!) {
  masterFlow(flowId: $id) { discovery { dataImport { fieldMappingSummary { total approved suggested rejected pending unmapped unknown } } } }
}
"""


async def _flow_with_mappings(db, tenant, *mappings):
    """A master flow whose discovery flow links an import with `mappings` (column overrides of `field_mapping_row`)."""
    flow, imported = master_flow_row(tenant), data_import_row(tenant)
    await db.insert(master_flows, [flow])
    await db.insert(data_imports, [imported])
    await db.insert(discovery_flows, [discovery_flow_row(tenant, master_flow_id=flow["flow_id"], data_import_id=imported["id"])])
    rows = [field_mapping_row(tenant, data_import_id=imported["id"], **{"source_field": f"col_{i}", **m}) for i, m in enumerate(mappings)]
    await db.insert(import_field_mappings, rows)
    return str(flow["flow_id"]), imported["id"]


def _page(data):
    return data["masterFlow"]["discovery"]["dataImport"]["fieldMappings"]


def _sources(page):
    return [edge["node"]["sourceField"] for edge in page["edges"]]


async def test_mappings_come_oldest_first_with_a_missing_timestamp_first_and_ties_in_id_order(db, graphql, tenant):
    low, high = uuid.UUID(int=1), uuid.UUID(int=2)
    flow_id, _ = await _flow_with_mappings(
        db,
        tenant,
        {"source_field": "late", "created_at": T0 + timedelta(hours=2)},
        {"source_field": "tie_high", "created_at": T0, "id": high},
        {"source_field": "never_stamped", "created_at": None},
        {"source_field": "tie_low", "created_at": T0, "id": low},
    )

    page = _page(await graphql.data(MAPPINGS, tenant, {"id": flow_id}))

    assert _sources(page) == ["never_stamped", "tie_low", "tie_high", "late"]


async def test_a_cursor_walk_in_pages_of_two_visits_every_mapping_once(db, graphql, tenant):
    # Equal and missing timestamps: a cursor on the timestamp alone would skip or repeat.
    stamps = [T0, None, T0, T0 + timedelta(minutes=1), None, T0, T0 - timedelta(days=1)]
    flow_id, _ = await _flow_with_mappings(db, tenant, *({"created_at": stamp} for stamp in stamps))

    seen, after = [], None
    while True:
        page = _page(await graphql.data(MAPPINGS, tenant, {"id": flow_id, "first": 2, "after": after}))
        seen += _sources(page)
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]

    assert sorted(seen) == sorted(f"col_{i}" for i in range(len(stamps)))
    assert len(seen) == len(set(seen))


async def test_the_status_filter_keeps_the_named_statuses_and_counts_only_them(db, graphql, tenant):
    flow_id, _ = await _flow_with_mappings(db, tenant, {"status": "approved"}, {"status": "rejected"}, {"status": "approved"}, {"status": "pending"})

    page = _page(await graphql.data(MAPPINGS, tenant, {"id": flow_id, "filter": {"statuses": ["APPROVED", "PENDING"]}}))

    assert [edge["node"]["status"] for edge in page["edges"]] == ["APPROVED", "APPROVED", "PENDING"]
    assert page["totalCount"] == 3


async def test_unknown_matches_undocumented_and_missing_statuses_and_keeps_the_stored_value(db, graphql, tenant):
    flow_id, _ = await _flow_with_mappings(db, tenant, {"status": "approved"}, {"status": "needs_review"}, {"status": None})

    page = _page(await graphql.data(MAPPINGS, tenant, {"id": flow_id, "filter": {"statuses": ["UNKNOWN"]}}))

    assert [(edge["node"]["status"], edge["node"]["statusRaw"]) for edge in page["edges"]] == [("UNKNOWN", "needs_review"), ("UNKNOWN", None)]


async def test_an_empty_status_list_matches_no_mapping(db, graphql, tenant):
    flow_id, _ = await _flow_with_mappings(db, tenant, {"status": "approved"}, {"status": None})

    page = _page(await graphql.data(MAPPINGS, tenant, {"id": flow_id, "filter": {"statuses": []}}))

    assert page["edges"] == [] and page["totalCount"] == 0


async def test_an_approver_stored_as_a_user_id_is_null_and_a_named_one_is_shown(db, graphql, tenant):
    # The platform's review endpoint stores str(current_user.id); its learning service "system"; its seed an e-mail.
    approvers = [str(uuid.uuid4()), uuid.uuid4().hex, "system", "analyst@democorp.com", None]
    flow_id, _ = await _flow_with_mappings(db, tenant, *({"approved_by": approver, "status": "approved"} for approver in approvers))

    data = await graphql.data(
        """query ($id: UUID!) { masterFlow(flowId: $id) { discovery { dataImport { fieldMappings { nodes { sourceField approvedBy } } } } } }""",
        tenant,
        {"id": flow_id},
    )

    nodes = data["masterFlow"]["discovery"]["dataImport"]["fieldMappings"]["nodes"]
    assert sorted((node["sourceField"], node["approvedBy"]) for node in nodes) == [
        ("col_0", None),
        ("col_1", None),
        ("col_2", "system"),
        ("col_3", "analyst@democorp.com"),
        ("col_4", None),
    ]


async def test_the_summary_counts_each_status_and_the_total(db, graphql, tenant):
    statuses = ["approved", "approved", "suggested", "rejected", "pending", "unmapped", "unmapped", "needs_review", None]
    flow_id, _ = await _flow_with_mappings(db, tenant, *({"status": status} for status in statuses))

    data = await graphql.data(SUMMARY, tenant, {"id": flow_id})

    assert data["masterFlow"]["discovery"]["dataImport"]["fieldMappingSummary"] == {
        "total": 9,
        "approved": 2,
        "suggested": 1,
        "rejected": 1,
        "pending": 1,
        "unmapped": 2,
        "unknown": 2,
    }


async def test_an_import_without_mappings_has_an_empty_page_and_a_zero_summary(db, graphql, tenant):
    flow_id, _ = await _flow_with_mappings(db, tenant)

    data = await graphql.data(SUMMARY, tenant, {"id": flow_id})

    assert set(data["masterFlow"]["discovery"]["dataImport"]["fieldMappingSummary"].values()) == {0}


async def test_another_tenants_mappings_of_the_import_are_never_shown_or_counted(db, graphql, tenant, other_tenant):
    flow_id, import_id = await _flow_with_mappings(db, tenant, {"source_field": "ours"})
    await db.insert(import_field_mappings, [field_mapping_row(other_tenant, data_import_id=import_id, source_field="theirs", status="approved")])

    page = _page(await graphql.data(MAPPINGS, tenant, {"id": flow_id}))
    summary = await graphql.data(SUMMARY, tenant, {"id": flow_id})

    assert _sources(page) == ["ours"] and page["totalCount"] == 1
    assert summary["masterFlow"]["discovery"]["dataImport"]["fieldMappingSummary"]["total"] == 1


async def test_a_mapping_the_platform_stored_without_an_engagement_is_the_imports_tenants(db, graphql, tenant):
    # The platform's migration 071 left `engagement_id` nullable: an equality filter would hide it.
    flow_id, _ = await _flow_with_mappings(db, tenant, {"source_field": "no_engagement", "engagement_id": None})

    assert _sources(_page(await graphql.data(MAPPINGS, tenant, {"id": flow_id}))) == ["no_engagement"]


async def test_a_cursor_of_another_list_is_refused_as_a_mapping_cursor(db, graphql, tenant):
    flow_id, _ = await _flow_with_mappings(db, tenant, {}, {})
    flow_cursor = (await graphql.data("{ masterFlows(first: 1) { pageInfo { endCursor } } }", tenant))["masterFlows"]["pageInfo"]["endCursor"]

    body = await graphql.query(MAPPINGS, tenant, {"id": flow_id, "after": flow_cursor})

    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert body["data"]["masterFlow"]["discovery"]["dataImport"] is None  # the connection is non-null


async def test_a_page_size_above_the_cap_is_refused_naming_the_argument(db, graphql, tenant):
    flow_id, _ = await _flow_with_mappings(db, tenant, {})

    body = await graphql.query(MAPPINGS, tenant, {"id": flow_id, "first": 501})

    assert body["errors"][0]["message"] == "`first` must be between 1 and 500, got 501."
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


def test_the_graphql_statuses_are_the_documented_ones_and_unknown():
    assert [member.value for member in FieldMappingStatus] == [*MAPPING_STATUS.documented, "unknown"]
