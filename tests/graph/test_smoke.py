from db.seed.rows import data_import_row, discovery_flow_row, master_flow_row, raw_record_row
from db.tables import data_imports, discovery_flows, master_flows, raw_import_records


async def test_detail(db, graphql, tenant):
    flow = master_flow_row(tenant)
    imp = data_import_row(tenant)
    await db.insert(master_flows, [flow])
    await db.insert(data_imports, [imp])
    await db.insert(discovery_flows, [discovery_flow_row(tenant, master_flow_id=flow["flow_id"], data_import_id=imp["id"])])
    await db.insert(raw_import_records, [raw_record_row(tenant, data_import_id=imp["id"], row_number=i, raw_data={"h": i}) for i in range(1, 6)])
    data = await graphql.data(
        """query($id: UUID!) { masterFlow(flowId: $id) { flowId flowType status discovery { status phases { phase completed }
        dataImport { importType rawRecords(first: 2) { totalCount edges { cursor node { rowNumber rawData } } pageInfo { hasNextPage endCursor } } } } }
        masterFlows { totalCount nodes { flowId } } }""",
        tenant, {"id": str(flow["flow_id"])},
    )
    print(data)
    assert data["masterFlow"]["flowId"] == str(flow["flow_id"])
