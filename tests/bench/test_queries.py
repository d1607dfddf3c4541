"""The bench's documents: (a) cut after each of its levels makes one statement per level it keeps."""

from __future__ import annotations

import pytest

from db.seed.rows import data_import_row, discovery_flow_row, master_flow_row, raw_record_row
from db.tables import data_imports, discovery_flows, master_flows, raw_import_records
from tests.bench.queries import detail, detail_to
from tests.statements import count_statements

LEVELS = ("masterFlow", "discovery", "dataImport", "rawRecords")


@pytest.mark.parametrize("levels", range(len(LEVELS) + 1))
async def test_a_detail_cut_after_n_levels_makes_n_statements_and_reads_down_to_its_last_level(db, reader, graphql, tenant, levels):
    flow, imported = master_flow_row(tenant), data_import_row(tenant)
    await db.insert(master_flows, [flow])
    await db.insert(data_imports, [imported])
    await db.insert(discovery_flows, [discovery_flow_row(tenant, master_flow_id=flow["flow_id"], data_import_id=imported["id"])])
    await db.insert(
        raw_import_records, [raw_record_row(tenant, data_import_id=imported["id"], row_number=n, raw_data={"n": n}) for n in range(1, 13)]
    )
    scenario = detail_to(str(flow["flow_id"]), levels)

    with count_statements(reader) as statements:
        data = await graphql.data(scenario.graphql, tenant, scenario.variables)

    assert statements.value == levels
    for key in LEVELS[:levels]:
        data = data[key]
        assert data is not None, key
    if levels == len(LEVELS):
        assert len(data["edges"]) == 10
    else:
        assert set(LEVELS).isdisjoint(data)  # nothing below the cut was read


def test_the_detail_cut_after_all_four_levels_is_the_headline_request_with_10_records():
    cut, headline = detail_to("any", len(LEVELS)), detail("any", 10)

    assert (cut.graphql, cut.variables) == (headline.graphql, headline.variables)
