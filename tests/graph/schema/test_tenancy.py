"""Tenant isolation: another tenant's rows are indistinguishable from missing ones, at every level."""

from __future__ import annotations

from db.seed.rows import data_import_row, discovery_flow_row, master_flow_row, raw_record_row
from db.tables import data_imports, discovery_flows, master_flows, raw_import_records

FLOW = """
query ($id: UUID!) {
  masterFlow(flowId: $id) {
    name
    discovery { name dataImport { name rawRecords { totalCount nodes { rowNumber } } } }
    parentFlow { name }
    childFlows { name }
  }
}
"""


async def test_another_tenants_flow_reads_as_missing(db, graphql, tenant, other_tenant):
    theirs = master_flow_row(other_tenant)
    await db.insert(master_flows, [theirs])

    foreign = await graphql.query(FLOW, tenant, {"id": str(theirs["flow_id"])})
    missing = await graphql.query(FLOW, tenant, {"id": "00000000-0000-4000-8000-000000000000"})

    assert foreign == missing == {"data": {"masterFlow": None}}


async def test_another_engagement_of_the_same_client_is_another_tenant(db, graphql, tenant):
    import uuid

    from db.tenancy import Tenant

    sibling = Tenant(tenant.client_account_id, uuid.uuid4())
    theirs = master_flow_row(sibling)
    await db.insert(master_flows, [theirs])

    assert await graphql.data(FLOW, tenant, {"id": str(theirs["flow_id"])}) == {"masterFlow": None}


async def test_another_tenants_discovery_row_pointing_at_my_flow_does_not_show(db, graphql, tenant, other_tenant):
    mine = master_flow_row(tenant, flow_name="mine")
    their_import = data_import_row(other_tenant, import_name="theirs")
    await db.insert(master_flows, [mine])
    await db.insert(data_imports, [their_import])
    await db.insert(
        discovery_flows,
        [
            discovery_flow_row(other_tenant, master_flow_id=mine["flow_id"], data_import_id=their_import["id"], flow_name="theirs"),
        ],
    )

    data = await graphql.data(FLOW, tenant, {"id": str(mine["flow_id"])})

    assert data == {"masterFlow": {"name": "mine", "discovery": None, "parentFlow": None, "childFlows": []}}


async def test_my_discovery_linking_another_tenants_import_shows_no_import(db, graphql, tenant, other_tenant):
    mine = master_flow_row(tenant, flow_name="mine")
    their_import = data_import_row(other_tenant, import_name="theirs")
    await db.insert(master_flows, [mine])
    await db.insert(data_imports, [their_import])
    await db.insert(discovery_flows, [discovery_flow_row(tenant, master_flow_id=mine["flow_id"], data_import_id=their_import["id"], flow_name="d")])
    await db.insert(raw_import_records, [raw_record_row(other_tenant, data_import_id=their_import["id"], row_number=1, raw_data={})])

    data = await graphql.data(FLOW, tenant, {"id": str(mine["flow_id"])})

    assert data["masterFlow"]["discovery"] == {"name": "d", "dataImport": None}


async def test_records_stamped_with_another_tenant_do_not_show_in_my_import(db, graphql, tenant, other_tenant):
    mine = master_flow_row(tenant)
    my_import = data_import_row(tenant, import_name="mine")
    await db.insert(master_flows, [mine])
    await db.insert(data_imports, [my_import])
    await db.insert(discovery_flows, [discovery_flow_row(tenant, master_flow_id=mine["flow_id"], data_import_id=my_import["id"])])
    await db.insert(
        raw_import_records,
        [
            raw_record_row(tenant, data_import_id=my_import["id"], row_number=1, raw_data={}),
            raw_record_row(None, data_import_id=my_import["id"], row_number=2, raw_data={}),
            raw_record_row(other_tenant, data_import_id=my_import["id"], row_number=3, raw_data={}),
        ],
    )

    data = await graphql.data(FLOW, tenant, {"id": str(mine["flow_id"])})

    assert data["masterFlow"]["discovery"]["dataImport"]["rawRecords"] == {
        "totalCount": 2,
        "nodes": [{"rowNumber": 1}, {"rowNumber": 2}],
    }


async def test_parent_and_children_of_another_tenant_do_not_show(db, graphql, tenant, other_tenant):
    their_parent = master_flow_row(other_tenant, flow_name="their parent")
    mine = master_flow_row(tenant, flow_name="mine", parent_flow_id=their_parent["flow_id"])
    their_child = master_flow_row(other_tenant, flow_name="their child", parent_flow_id=mine["flow_id"])
    my_child = master_flow_row(tenant, flow_name="my child", parent_flow_id=mine["flow_id"])
    await db.insert(master_flows, [their_parent])
    await db.insert(master_flows, [mine])
    await db.insert(master_flows, [their_child, my_child])

    data = await graphql.data(FLOW, tenant, {"id": str(mine["flow_id"])})

    assert data["masterFlow"]["parentFlow"] is None
    assert data["masterFlow"]["childFlows"] == [{"name": "my child"}]


async def test_the_flow_list_holds_only_my_flows(db, graphql, tenant, other_tenant):
    await db.insert(master_flows, [master_flow_row(tenant, flow_name="mine"), master_flow_row(other_tenant, flow_name="theirs")])

    data = await graphql.data("{ masterFlows { totalCount nodes { name } } }", tenant)

    assert data == {"masterFlows": {"totalCount": 1, "nodes": [{"name": "mine"}]}}


IMPORT = "query ($id: UUID!) { masterFlow(flowId: $id) { discovery { dataImport { name } } } }"


async def _flow_linking(db, tenant, imported):
    flow = master_flow_row(tenant)
    await db.insert(master_flows, [flow])
    await db.insert(data_imports, [imported])
    await db.insert(discovery_flows, [discovery_flow_row(tenant, master_flow_id=flow["flow_id"], data_import_id=imported["id"])])
    return flow


async def test_an_import_whose_tenant_columns_are_null_is_shown_through_my_discovery_flow(db, graphql, tenant):
    flow = await _flow_linking(db, tenant, data_import_row(tenant, import_name="uploaded", engagement_id=None))

    data = await graphql.data(IMPORT, tenant, {"id": str(flow["flow_id"])})

    assert data["masterFlow"]["discovery"]["dataImport"] == {"name": "uploaded"}


async def test_an_import_naming_another_engagement_is_never_shown_even_when_my_discovery_flow_links_it(db, graphql, tenant, other_tenant):
    from db.tenancy import Tenant

    elsewhere = Tenant(tenant.client_account_id, other_tenant.engagement_id)
    imported = data_import_row(elsewhere, import_name="theirs", client_account_id=None)
    flow = await _flow_linking(db, tenant, imported)

    data = await graphql.data(IMPORT, tenant, {"id": str(flow["flow_id"])})

    assert data["masterFlow"]["discovery"]["dataImport"] is None
