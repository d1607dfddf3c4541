"""SQL statements per request: a small constant per nesting level, whatever the page size."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from db.seed.rows import data_import_row, discovery_flow_row, field_mapping_row, master_flow_row, raw_record_row
from db.tables import data_imports, discovery_flows, import_field_mappings, master_flows, raw_import_records
from tests.statements import count_statements

DETAIL = """
query ($id: UUID!) {
  masterFlow(flowId: $id) { name discovery { status phases { phase completed } dataImport { name
    rawRecords(first: 50) { %s edges { cursor node { rowNumber rawData } } pageInfo { hasNextPage } } } } }
}
"""

PAGE = """
query ($first: Int!) {
  masterFlows(first: $first) { %s nodes { flowId discovery { status dataImport { name
    rawRecords(first: 10) { %s nodes { rowNumber rawData } } } } } }
}
"""


async def _flows(db, tenant, count, records_each=12):
    flows, imports, discoveries, records = [], [], [], []
    for _ in range(count):
        flow, imported = master_flow_row(tenant), data_import_row(tenant)
        flows.append(flow)
        imports.append(imported)
        discoveries.append(discovery_flow_row(tenant, master_flow_id=flow["flow_id"], data_import_id=imported["id"]))
        records += [raw_record_row(tenant, data_import_id=imported["id"], row_number=n, raw_data={"n": n}) for n in range(1, records_each + 1)]
    await db.insert(master_flows, flows)
    await db.insert(data_imports, imports)
    await db.insert(discovery_flows, discoveries)
    await db.insert(raw_import_records, records)
    return flows


async def _statements(reader, graphql, query, tenant, variables):
    with count_statements(reader) as count:
        await graphql.data(query, tenant, variables)
    return count.value


async def test_a_flow_detail_with_its_discovery_import_and_records_takes_four_statements(db, reader, graphql, tenant):
    [flow] = await _flows(db, tenant, 1, records_each=60)

    assert await _statements(reader, graphql, DETAIL % "", tenant, {"id": str(flow["flow_id"])}) == 4


async def test_total_count_costs_one_more_statement_only_when_selected(db, reader, graphql, tenant):
    [flow] = await _flows(db, tenant, 1)

    assert await _statements(reader, graphql, DETAIL % "totalCount", tenant, {"id": str(flow["flow_id"])}) == 5


@pytest.mark.parametrize("with_totals", [False, True])
async def test_a_nested_page_takes_the_same_statements_for_1_5_50_and_100_flows(db, reader, graphql, tenant, with_totals):
    await _flows(db, tenant, 100, records_each=11)
    query = PAGE % (("totalCount",) * 2 if with_totals else ("", ""))

    counts = {n: await _statements(reader, graphql, query, tenant, {"first": n}) for n in (1, 5, 50, 100)}

    expected = 6 if with_totals else 4
    assert counts == {1: expected, 5: expected, 50: expected, 100: expected}


DISCOVERY_PAGES = """
query ($first: Int!) {
  masterFlows(first: $first) { nodes { discovery { phaseState nextPhase
    cleansingRecommendations(first: 5) { nodes { title } }
    assetConflicts(first: 5) { nodes { conflictKey } }
    dataImport { fieldMappingSummary { total } fieldMappings(first: 5) { nodes { sourceField } }
      rawRecords(first: 5) { nodes { rowNumber asset { name } } } } } } }
}
"""


async def test_the_discovery_pages_take_the_same_statements_for_1_and_100_flows(db, reader, graphql, tenant):
    await _flows(db, tenant, 100, records_each=6)
    async with db.engine.connect() as connection:
        imports = (await connection.execute(select(discovery_flows.c.data_import_id))).scalars().all()
    await db.insert(import_field_mappings, [field_mapping_row(tenant, data_import_id=i, source_field=f"c{n}") for i in imports for n in range(6)])

    counts = {n: await _statements(reader, graphql, DISCOVERY_PAGES, tenant, {"first": n}) for n in (1, 100)}

    # flows, discovery (with its state), recommendations, conflicts, import, summary, mappings, records, assets
    assert counts == {1: 9, 100: 9}


PARENTS = "query ($first: Int!) { masterFlows(first: $first) { nodes { name parentFlow { name } } } }"


async def _parent_and_child(db, tenant):
    """A parent flow and its child, the child the newer: first on the page."""
    parent = master_flow_row(tenant)
    child = master_flow_row(tenant, parent_flow_id=parent["flow_id"], created_at=parent["created_at"] + timedelta(minutes=1))
    await db.insert(master_flows, [parent, child])


async def test_a_parent_on_the_same_page_is_not_read_again(db, reader, graphql, tenant):
    await _parent_and_child(db, tenant)

    assert await _statements(reader, graphql, PARENTS, tenant, {"first": 2}) == 1


async def test_a_parent_beyond_the_page_takes_one_more_statement(db, reader, graphql, tenant):
    await _parent_and_child(db, tenant)

    assert await _statements(reader, graphql, PARENTS, tenant, {"first": 1}) == 2


async def test_one_field_asked_twice_under_aliases_is_loaded_in_one_statement(db, reader, graphql, tenant):
    await _flows(db, tenant, 3)
    query = "query ($first: Int!) { masterFlows(first: $first) { nodes { a: discovery { status } b: discovery { name } } } }"

    assert await _statements(reader, graphql, query, tenant, {"first": 3}) == 2
