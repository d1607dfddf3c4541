"""The ID traps of design §1, each with data built to spring it.

The only path from a master flow to its data is
flow_id → discovery_flows.master_flow_id → discovery_flows.data_import_id → data_imports.id.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from db.seed.rows import data_import_row, discovery_flow_row, master_flow_row, raw_record_row
from db.tables import data_imports, discovery_flows, master_flows, raw_import_records

T0 = datetime(2026, 3, 1, tzinfo=UTC)

IMPORT_OF_FLOW = """
query ($flowId: UUID!) {
  masterFlow(flowId: $flowId) {
    flowId
    discovery { dataImport { name importType rawRecords(first: 10) { nodes { rawData } } } }
  }
}
"""


async def test_the_linked_import_wins_over_the_tenants_newest_import(db, graphql, tenant):
    flow = master_flow_row(tenant)
    linked = data_import_row(tenant, import_name="linked cmdb", import_type="cmdb", created_at=T0)
    newest = data_import_row(tenant, import_name="newest direct", import_type="direct_raw_data", created_at=T0 + timedelta(days=1))
    await db.insert(master_flows, [flow])
    await db.insert(data_imports, [linked, newest])
    await db.insert(discovery_flows, [discovery_flow_row(tenant, master_flow_id=flow["flow_id"], data_import_id=linked["id"])])
    await db.insert(
        raw_import_records,
        [
            raw_record_row(tenant, data_import_id=linked["id"], row_number=1, raw_data={"from": "linked"}),
            raw_record_row(tenant, data_import_id=newest["id"], row_number=1, raw_data={"from": "newest"}),
        ],
    )

    data = await graphql.data(IMPORT_OF_FLOW, tenant, {"flowId": str(flow["flow_id"])})

    assert data["masterFlow"]["discovery"]["dataImport"] == {
        "name": "linked cmdb",
        "importType": "CMDB",
        "rawRecords": {"nodes": [{"rawData": {"from": "linked"}}]},
    }


async def test_the_bridge_wins_over_the_denormalised_master_flow_id_of_imports(db, graphql, tenant):
    flow = master_flow_row(tenant)
    linked = data_import_row(tenant, import_name="linked", master_flow_id=None)
    claims_the_flow = data_import_row(tenant, import_name="claims the flow", master_flow_id=flow["flow_id"])
    await db.insert(master_flows, [flow])
    await db.insert(data_imports, [linked, claims_the_flow])
    await db.insert(discovery_flows, [discovery_flow_row(tenant, master_flow_id=flow["flow_id"], data_import_id=linked["id"])])

    data = await graphql.data(IMPORT_OF_FLOW, tenant, {"flowId": str(flow["flow_id"])})

    assert data["masterFlow"]["discovery"]["dataImport"]["name"] == "linked"


async def test_a_flow_without_a_linked_import_shows_none_even_when_an_import_claims_it(db, graphql, tenant):
    flow = master_flow_row(tenant)
    await db.insert(master_flows, [flow])
    await db.insert(data_imports, [data_import_row(tenant, master_flow_id=flow["flow_id"])])
    await db.insert(discovery_flows, [discovery_flow_row(tenant, master_flow_id=flow["flow_id"], data_import_id=None)])

    data = await graphql.data(IMPORT_OF_FLOW, tenant, {"flowId": str(flow["flow_id"])})

    assert data["masterFlow"]["discovery"] == {"dataImport": None}


async def test_an_import_id_equal_to_a_flow_id_is_not_resolved_as_that_flow(db, graphql, tenant):
    flow = master_flow_row(tenant, flow_name="the real flow")
    other_flow = master_flow_row(tenant, flow_name="other")
    # The other flow's import has the same UUID as the first flow's flow_id.
    colliding_import = data_import_row(tenant, id=flow["flow_id"], import_name="colliding import")
    await db.insert(master_flows, [flow, other_flow])
    await db.insert(data_imports, [colliding_import])
    await db.insert(
        discovery_flows,
        [
            discovery_flow_row(tenant, master_flow_id=other_flow["flow_id"], data_import_id=colliding_import["id"]),
        ],
    )

    data = await graphql.data(
        """query ($id: UUID!, $other: UUID!) {
          flow: masterFlow(flowId: $id) { name discovery { dataImport { name } } }
          other: masterFlow(flowId: $other) { name discovery { dataImport { name } } }
        }""",
        tenant,
        {"id": str(flow["flow_id"]), "other": str(other_flow["flow_id"])},
    )

    assert data == {
        "flow": {"name": "the real flow", "discovery": None},
        "other": {"name": "other", "discovery": {"dataImport": {"name": "colliding import"}}},
    }


async def test_an_import_id_is_not_accepted_as_a_flow_id(db, graphql, tenant):
    flow = master_flow_row(tenant)
    imported = data_import_row(tenant)
    await db.insert(master_flows, [flow])
    await db.insert(data_imports, [imported])
    await db.insert(discovery_flows, [discovery_flow_row(tenant, master_flow_id=flow["flow_id"], data_import_id=imported["id"])])

    data = await graphql.data("query ($id: UUID!) { masterFlow(flowId: $id) { flowId } }", tenant, {"id": str(imported["id"])})

    assert data == {"masterFlow": None}


async def test_a_query_by_flow_id_never_matches_a_master_rows_primary_key(db, graphql, tenant):
    target = master_flow_row(tenant, flow_name="target")
    # This row's primary key equals the target's flow_id; its own flow_id differs.
    impostor = master_flow_row(tenant, id=target["flow_id"], flow_name="impostor")
    await db.insert(master_flows, [target, impostor])

    by_flow_id = await graphql.data("query ($id: UUID!) { masterFlow(flowId: $id) { name } }", tenant, {"id": str(target["flow_id"])})
    by_primary_key = await graphql.data("query ($id: UUID!) { masterFlow(flowId: $id) { name } }", tenant, {"id": str(target["id"])})

    assert by_flow_id == {"masterFlow": {"name": "target"}}
    assert by_primary_key == {"masterFlow": None}


async def test_a_discovery_flows_own_ids_are_not_accepted_as_flow_ids(db, graphql, tenant):
    flow = master_flow_row(tenant)
    discovery = discovery_flow_row(tenant, master_flow_id=flow["flow_id"], data_import_id=None)
    await db.insert(master_flows, [flow])
    await db.insert(discovery_flows, [discovery])

    for internal in (discovery["id"], discovery["flow_id"]):
        data = await graphql.data("query ($id: UUID!) { masterFlow(flowId: $id) { flowId } }", tenant, {"id": str(internal)})
        assert data == {"masterFlow": None}


UUID_PATTERN = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


async def test_no_response_or_cursor_reveals_an_internal_id(db, graphql, tenant):
    flow = master_flow_row(tenant)
    imported = data_import_row(tenant)
    discovery = discovery_flow_row(tenant, master_flow_id=flow["flow_id"], data_import_id=imported["id"])
    records = [raw_record_row(tenant, data_import_id=imported["id"], row_number=n, raw_data={"n": n}) for n in (1, 2, 3)]
    await db.insert(master_flows, [flow])
    await db.insert(data_imports, [imported])
    await db.insert(discovery_flows, [discovery])
    await db.insert(raw_import_records, records)
    internal_ids = {str(i) for i in (flow["id"], imported["id"], discovery["id"], discovery["flow_id"], *(r["id"] for r in records))}

    response = await graphql.post(
        """query ($id: UUID!) {
          masterFlow(flowId: $id) { discovery { dataImport { rawRecords(first: 1) {
            edges { cursor } pageInfo { endCursor } } } } }
          masterFlows { edges { cursor } pageInfo { startCursor endCursor } }
        }""",
        tenant,
        {"id": str(flow["flow_id"])},
    )
    cursors = re.findall(r'"(?:cursor|startCursor|endCursor)":"([^"]+)"', response.text)
    decoded = " ".join(_decode_cursor_payload(cursor) for cursor in cursors)

    assert len(cursors) == 5
    assert internal_ids.isdisjoint(UUID_PATTERN.findall(response.text + decoded))
    assert set(UUID_PATTERN.findall(response.text + decoded)) == {str(flow["flow_id"])}


def _decode_cursor_payload(cursor: str) -> str:
    import base64

    payload = cursor.split(".")[0]
    return base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)).decode()


DISCOVERY_NAME = "query ($id: UUID!) { masterFlow(flowId: $id) { discovery { name } } }"


async def test_the_discovery_row_whose_flow_id_is_the_master_flow_id_wins_over_newer_legacy_rows(db, graphql, tenant):
    flow = master_flow_row(tenant)
    await db.insert(master_flows, [flow])
    await db.insert(
        discovery_flows,
        [
            discovery_flow_row(
                tenant,
                master_flow_id=flow["flow_id"],
                data_import_id=None,
                flow_id=flow["flow_id"],
                flow_name="the platform's child",
                created_at=datetime(2026, 1, 1, tzinfo=UTC),
            ),
            discovery_flow_row(
                tenant, master_flow_id=flow["flow_id"], data_import_id=None, flow_name="newer legacy row", created_at=datetime(2026, 6, 1, tzinfo=UTC)
            ),
        ],
    )

    data = await graphql.data(DISCOVERY_NAME, tenant, {"id": str(flow["flow_id"])})

    assert data["masterFlow"]["discovery"] == {"name": "the platform's child"}


async def test_without_a_row_keyed_by_the_flow_id_the_newest_legacy_row_wins(db, graphql, tenant):
    flow = master_flow_row(tenant)
    await db.insert(master_flows, [flow])
    await db.insert(
        discovery_flows,
        [
            discovery_flow_row(
                tenant, master_flow_id=flow["flow_id"], data_import_id=None, flow_name="older", created_at=datetime(2026, 1, 1, tzinfo=UTC)
            ),
            discovery_flow_row(
                tenant, master_flow_id=flow["flow_id"], data_import_id=None, flow_name="newer", created_at=datetime(2026, 6, 1, tzinfo=UTC)
            ),
        ],
    )

    data = await graphql.data(DISCOVERY_NAME, tenant, {"id": str(flow["flow_id"])})

    assert data["masterFlow"]["discovery"] == {"name": "newer"}
