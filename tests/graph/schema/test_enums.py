"""Values outside the documented vocabularies never fail a response."""

from __future__ import annotations

import pytest

from db.seed.rows import data_import_row, discovery_flow_row, master_flow_row
from db.tables import data_imports, discovery_flows, master_flows

QUERY = """
query ($id: UUID!) {
  masterFlow(flowId: $id) {
    flowType flowTypeRaw status statusRaw
    discovery { status statusRaw dataImport { importType importTypeRaw status statusRaw } }
  }
}
"""


async def test_unknown_stored_values_map_to_unknown_and_keep_the_raw_value(db, graphql, tenant):
    flow = master_flow_row(tenant, flow_type="discovery", flow_status="stalled")  # the platform CHECKs flow_type
    imported = data_import_row(tenant, import_type="spreadsheet_v2", status="quarantined")
    await db.insert(master_flows, [flow])
    await db.insert(data_imports, [imported])
    await db.insert(
        discovery_flows,
        [
            discovery_flow_row(tenant, master_flow_id=flow["flow_id"], data_import_id=imported["id"], status="rehydrating"),
        ],
    )

    data = await graphql.data(QUERY, tenant, {"id": str(flow["flow_id"])})

    assert data == {
        "masterFlow": {
            "flowType": "DISCOVERY",
            "flowTypeRaw": "discovery",
            "status": "UNKNOWN",
            "statusRaw": "stalled",
            "discovery": {
                "status": "UNKNOWN",
                "statusRaw": "rehydrating",
                "dataImport": {"importType": "UNKNOWN", "importTypeRaw": "spreadsheet_v2", "status": "UNKNOWN", "statusRaw": "quarantined"},
            },
        }
    }


async def test_documented_values_map_to_their_members(db, graphql, tenant):
    flow = master_flow_row(tenant, flow_type="decommission", flow_status="waiting_for_approval")
    imported = data_import_row(tenant, import_type="direct_raw_data", status="discovery_initiated")
    await db.insert(master_flows, [flow])
    await db.insert(data_imports, [imported])
    await db.insert(
        discovery_flows,
        [
            discovery_flow_row(tenant, master_flow_id=flow["flow_id"], data_import_id=imported["id"], status="archived"),
        ],
    )

    data = await graphql.data(QUERY, tenant, {"id": str(flow["flow_id"])})

    assert data["masterFlow"]["flowType"] == "DECOMMISSION"
    assert data["masterFlow"]["status"] == "WAITING_FOR_APPROVAL"
    assert data["masterFlow"]["discovery"]["status"] == "ARCHIVED"
    assert data["masterFlow"]["discovery"]["dataImport"] == {
        "importType": "DIRECT_RAW_DATA",
        "importTypeRaw": "direct_raw_data",
        "status": "DISCOVERY_INITIATED",
        "statusRaw": "discovery_initiated",
    }


async def test_phases_are_listed_in_run_order_with_their_flags(db, graphql, tenant):
    flow = master_flow_row(tenant)
    await db.insert(master_flows, [flow])
    await db.insert(
        discovery_flows,
        [
            discovery_flow_row(
                tenant,
                master_flow_id=flow["flow_id"],
                data_import_id=None,
                data_import_completed=True,
                data_validation_completed=True,
                field_mapping_completed=False,
                data_cleansing_completed=True,
                asset_inventory_completed=False,
            ),
        ],
    )

    data = await graphql.data(
        "query ($id: UUID!) { masterFlow(flowId: $id) { discovery { phases { phase completed } } } }", tenant, {"id": str(flow["flow_id"])}
    )

    assert data["masterFlow"]["discovery"]["phases"] == [
        {"phase": "DATA_IMPORT", "completed": True},
        {"phase": "DATA_VALIDATION", "completed": True},
        {"phase": "FIELD_MAPPING", "completed": False},
        {"phase": "DATA_CLEANSING", "completed": True},
        {"phase": "ASSET_INVENTORY", "completed": False},
    ]


@pytest.mark.parametrize(
    ("flow_status", "discovery_status", "import_type", "expected"),
    [
        ("error", "waiting_for_approval", "app-discovery", ("ERROR", "WAITING_FOR_APPROVAL", "APP_DISCOVERY")),
        ("child_flows_deleted", "processing", "infrastructure", ("CHILD_FLOWS_DELETED", "PROCESSING", "INFRASTRUCTURE")),
        ("deleted", "active", "sensitive", ("DELETED", "ACTIVE", "SENSITIVE")),
    ],
)
async def test_the_platforms_own_values_map_to_their_members(db, graphql, tenant, flow_status, discovery_status, import_type, expected):
    flow = master_flow_row(tenant, flow_status=flow_status)
    imported = data_import_row(tenant, import_type=import_type)
    await db.insert(master_flows, [flow])
    await db.insert(data_imports, [imported])
    await db.insert(
        discovery_flows,
        [
            discovery_flow_row(tenant, master_flow_id=flow["flow_id"], data_import_id=imported["id"], status=discovery_status),
        ],
    )

    data = await graphql.data(QUERY, tenant, {"id": str(flow["flow_id"])})

    flow_data = data["masterFlow"]
    assert (flow_data["status"], flow_data["discovery"]["status"], flow_data["discovery"]["dataImport"]["importType"]) == expected
    assert flow_data["discovery"]["dataImport"]["importTypeRaw"] == import_type
