"""What the platform leaves NULL never turns a response into an error."""

from __future__ import annotations

from datetime import UTC, datetime

from db.seed.rows import data_import_row, discovery_flow_row, master_flow_row, raw_record_row
from db.tables import data_imports, discovery_flows, master_flows, raw_import_records

CREATED = datetime(2026, 3, 1, tzinfo=UTC)
QUERY = """
query ($id: UUID!) {
  masterFlow(flowId: $id) {
    createdAt updatedAt
    discovery { dataImport { createdAt updatedAt rawRecords { nodes { isValid isProcessed createdAt } } } }
  }
}
"""


async def _flow(db, tenant, *, flow=None, imported=None, record=None):
    flow = master_flow_row(tenant, **(flow or {}))
    imported = data_import_row(tenant, **(imported or {}))
    await db.insert(master_flows, [flow])
    await db.insert(data_imports, [imported])
    await db.insert(discovery_flows, [discovery_flow_row(tenant, master_flow_id=flow["flow_id"], data_import_id=imported["id"])])
    await db.insert(raw_import_records, [raw_record_row(tenant, data_import_id=imported["id"], row_number=1, raw_data={}, **(record or {}))])
    return flow


async def test_a_never_updated_imports_updated_at_is_its_created_at(db, graphql, tenant):
    flow = await _flow(db, tenant, imported={"created_at": CREATED, "updated_at": None})

    data = await graphql.data(QUERY, tenant, {"id": str(flow["flow_id"])})

    imported = data["masterFlow"]["discovery"]["dataImport"]
    assert imported["createdAt"] == imported["updatedAt"] == CREATED.isoformat()


async def test_null_timestamps_and_flags_read_as_null(db, graphql, tenant):
    flow = await _flow(
        db,
        tenant,
        flow={"created_at": None, "updated_at": None},
        imported={"created_at": None, "updated_at": None},
        record={"is_valid": None, "is_processed": None, "created_at": None},
    )

    data = await graphql.data(QUERY, tenant, {"id": str(flow["flow_id"])})

    assert data == {
        "masterFlow": {
            "createdAt": None,
            "updatedAt": None,
            "discovery": {
                "dataImport": {
                    "createdAt": None,
                    "updatedAt": None,
                    "rawRecords": {"nodes": [{"isValid": None, "isProcessed": None, "createdAt": None}]},
                }
            },
        }
    }
