"""A page of records reads only the columns its query selects, and every selected field still gets its value."""

from __future__ import annotations

from datetime import UTC, datetime

from db.queries.raw_records import BEFORE_FIRST, RecordPageKey, raw_record_pages
from db.seed.rows import data_import_row, discovery_flow_row, master_flow_row, raw_record_row
from db.tables import data_imports, discovery_flows, master_flows, raw_import_records
from tests.statements import count_statements

PROCESSED_AT = datetime(2026, 3, 1, 12, tzinfo=UTC)


async def _flow_with_one_record(db, tenant):
    flow, imported = master_flow_row(tenant), data_import_row(tenant)
    await db.insert(master_flows, [flow])
    await db.insert(data_imports, [imported])
    await db.insert(discovery_flows, [discovery_flow_row(tenant, master_flow_id=flow["flow_id"], data_import_id=imported["id"])])
    await db.insert(
        raw_import_records,
        [
            raw_record_row(
                tenant,
                data_import_id=imported["id"],
                row_number=7,
                raw_data={"host": "a"},
                is_valid=False,
                is_processed=True,
                processed_at=PROCESSED_AT,
                processing_notes="checked",
            )
        ],
    )
    return str(flow["flow_id"]), imported["id"]


def _page(data, alias="rawRecords"):
    return data["masterFlow"]["discovery"]["dataImport"][alias]


async def test_a_page_reads_only_its_position_and_the_columns_asked_for(db, reader, tenant):
    _, import_id = await _flow_with_one_record(db, tenant)

    [[row]] = await raw_record_pages(reader, tenant=tenant, keys=[RecordPageKey(import_id, BEFORE_FIRST, 1, columns=frozenset({"is_valid"}))])

    assert set(row.keys()) == {"ordinality", "_id", "row_number", "is_valid"}
    assert (row["row_number"], row["is_valid"]) == (7, False)


async def test_record_fields_selected_through_fragments_get_their_values(db, graphql, tenant):
    flow_id, _ = await _flow_with_one_record(db, tenant)
    query = """query ($id: UUID!) { masterFlow(flowId: $id) { discovery { dataImport { rawRecords(first: 1) {
        ...Page edges { node { ... on RawImportRecord { processedAt } } } } } } } }
      fragment Page on RawImportRecordConnection { nodes { rowNumber ...Flags } }
      fragment Flags on RawImportRecord { isValid isProcessed processingNotes }"""

    page = _page(await graphql.data(query, tenant, {"id": flow_id}))

    assert page["nodes"] == [{"rowNumber": 7, "isValid": False, "isProcessed": True, "processingNotes": "checked"}]
    assert page["edges"] == [{"node": {"processedAt": PROCESSED_AT.isoformat()}}]


async def test_one_page_selected_twice_with_different_fields_gets_both_from_one_statement(db, reader, graphql, tenant):
    # Both selections share one statement; neither may be served the other's narrower rows.
    flow_id, _ = await _flow_with_one_record(db, tenant)
    query = """query ($id: UUID!) { masterFlow(flowId: $id) { discovery { dataImport {
        data: rawRecords(first: 1) { nodes { rawData } } flags: rawRecords(first: 1) { nodes { isValid } } } } } }"""

    with count_statements(reader) as statements:
        data = await graphql.data(query, tenant, {"id": flow_id})

    assert _page(data, "data")["nodes"] == [{"rawData": {"host": "a"}}]
    assert _page(data, "flags")["nodes"] == [{"isValid": False}]
    assert statements.value == 4  # flow, discovery, import, both pages
