"""Keyset pagination of master flows and records, and the cursors that drive it."""

from __future__ import annotations

import base64
from datetime import UTC, datetime, timedelta

import pytest

from db.seed.rows import data_import_row, discovery_flow_row, master_flow_row, raw_record_row
from db.settings import changed
from db.tables import data_imports, discovery_flows, master_flows, raw_import_records
from graph.guards.cursors import CursorCodec
from tests.conftest import GraphQLClient, client_for

T0 = datetime(2026, 1, 1, tzinfo=UTC)

RECORDS = """
query ($id: UUID!, $first: Int!, $after: String, $filter: RawImportRecordFilter) {
  masterFlow(flowId: $id) { discovery { dataImport { rawRecords(first: $first, after: $after, filter: $filter) {
    edges { cursor node { rowNumber } }
    pageInfo { hasNextPage hasPreviousPage endCursor }
  } } } }
}
"""

FLOWS = """
query ($first: Int, $after: String, $last: Int, $before: String, $orderBy: MasterFlowOrder, $filter: MasterFlowFilter) {
  masterFlows(first: $first, after: $after, last: $last, before: $before, orderBy: $orderBy, filter: $filter) {
    nodes { name }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
  }
}
"""


async def _flow_with_records(db, tenant, row_numbers, record_columns=None):
    record_columns = record_columns or {}
    flow = master_flow_row(tenant)
    imported = data_import_row(tenant)
    await db.insert(master_flows, [flow])
    await db.insert(data_imports, [imported])
    await db.insert(discovery_flows, [discovery_flow_row(tenant, master_flow_id=flow["flow_id"], data_import_id=imported["id"])])
    records = [
        raw_record_row(tenant, data_import_id=imported["id"], row_number=n, raw_data={"n": n, "i": i}, **record_columns.get(n, {}))
        for i, n in enumerate(row_numbers)
    ]
    await db.insert(raw_import_records, records)
    return str(flow["flow_id"]), records


def _records(data):
    return data["masterFlow"]["discovery"]["dataImport"]["rawRecords"]


async def test_a_cursor_walk_visits_every_record_exactly_once(db, graphql, tenant):
    # Gaps and an insertion order unlike row order: offsets or insertion order would skip or repeat.
    row_numbers = [5, 1, 9, 2, 7, 3, 8, 4, 6, 10, 12, 11, 20]
    flow_id, _ = await _flow_with_records(db, tenant, row_numbers)

    seen, after, pages = [], None, 0
    while True:
        page = _records(await graphql.data(RECORDS, tenant, {"id": flow_id, "first": 4, "after": after}))
        seen += [edge["node"]["rowNumber"] for edge in page["edges"]]
        pages += 1
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]

    assert seen == sorted(row_numbers)
    assert pages == 4


async def test_a_cursor_walk_over_repeated_row_numbers_visits_every_record_once_and_agrees_with_total_count(db, graphql, tenant):
    # The platform's row numbers repeat and skip: a page boundary inside a run of equal row numbers
    # loses the rest of the run when the cursor holds the row number alone.
    flow_id, records = await _flow_with_records(db, tenant, [3, 1, 3, 3, 2, 5, 5, 9, 3, 5])
    query = """
    query ($id: UUID!, $after: String) {
      masterFlow(flowId: $id) { discovery { dataImport { rawRecords(first: 2, after: $after) {
        totalCount nodes { rowNumber rawData } pageInfo { hasNextPage endCursor }
      } } } }
    }"""

    seen, totals, after = [], set(), None
    while True:
        page = _records(await graphql.data(query, tenant, {"id": flow_id, "after": after}))
        seen += [(node["rowNumber"], node["rawData"]["i"]) for node in page["nodes"]]
        totals.add(page["totalCount"])
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]

    assert sorted(i for _, i in seen) == list(range(len(records)))
    assert [n for n, _ in seen] == sorted(r["row_number"] for r in records)
    assert totals == {len(records)}


async def test_a_record_cursor_shows_no_record_id(db, graphql, tenant):
    flow_id, records = await _flow_with_records(db, tenant, [1, 1, 2])
    page = _records(await graphql.data(RECORDS, tenant, {"id": flow_id, "first": 3}))

    payloads = [base64.urlsafe_b64decode(e["cursor"].split(".")[0] + "==") for e in page["edges"]]
    for record in records:
        assert not any(record["id"].bytes in p or record["id"].hex.encode() in p or str(record["id"]).encode() in p for p in payloads)


async def test_a_record_cursor_from_before_row_number_and_id_keys_is_refused(db, graphql, tenant, settings):
    # Signed with the gateway's own key, as the earlier version made it: refused, never read as a position.
    flow_id, _ = await _flow_with_records(db, tenant, [1, 2, 3])
    earlier = CursorCodec(settings.cursor_key, tenant).encode("record", "row_number", 1)

    body = await graphql.query(RECORDS, tenant, {"id": flow_id, "first": 1, "after": earlier})

    assert body["errors"][0]["message"] == "The cursor is not valid for this list."
    assert body["errors"][0]["extensions"] == {"code": "BAD_USER_INPUT"}


async def test_the_record_filter_applies_before_the_page_limit(db, graphql, tenant):
    flow_id, _ = await _flow_with_records(db, tenant, range(1, 7), {n: {"is_valid": False} for n in (2, 4, 5)})

    page = _records(await graphql.data(RECORDS, tenant, {"id": flow_id, "first": 2, "filter": {"isValid": False}}))

    assert [e["node"]["rowNumber"] for e in page["edges"]] == [2, 4]
    assert page["pageInfo"]["hasNextPage"] is True


async def test_the_last_record_page_says_there_is_no_next_page(db, graphql, tenant):
    flow_id, _ = await _flow_with_records(db, tenant, [1, 2])

    page = _records(await graphql.data(RECORDS, tenant, {"id": flow_id, "first": 2}))

    assert page["pageInfo"] == {"hasNextPage": False, "hasPreviousPage": False, "endCursor": page["edges"][-1]["cursor"]}


@pytest.mark.parametrize("first", [0, -1, 501])
async def test_a_record_page_size_outside_1_to_500_is_refused(db, graphql, tenant, first):
    flow_id, _ = await _flow_with_records(db, tenant, [1])

    body = await graphql.query(RECORDS, tenant, {"id": flow_id, "first": first})

    assert body["data"] == {"masterFlow": {"discovery": {"dataImport": None}}} or body["data"] is None
    assert [e["extensions"]["code"] for e in body["errors"]] == ["BAD_USER_INPUT"]
    assert body["errors"][0]["message"] == f"`first` must be between 1 and 500, got {first}."


async def test_a_forged_cursor_is_refused(db, graphql, tenant):
    flow_id, _ = await _flow_with_records(db, tenant, [1, 2, 3])
    page = _records(await graphql.data(RECORDS, tenant, {"id": flow_id, "first": 1}))
    _payload, mac = page["pageInfo"]["endCursor"].split(".")
    forged = base64.urlsafe_b64encode(b'["record","row_number",0]').rstrip(b"=").decode() + "." + mac

    body = await graphql.query(RECORDS, tenant, {"id": flow_id, "first": 1, "after": forged})

    assert body["errors"][0]["message"] == "The cursor is not valid for this list."
    assert body["errors"][0]["extensions"] == {"code": "BAD_USER_INPUT"}


async def test_a_flow_cursor_is_refused_by_a_record_list(db, graphql, tenant):
    flow_id, _ = await _flow_with_records(db, tenant, [1, 2])
    flows = await graphql.data(FLOWS, tenant, {"first": 1})

    body = await graphql.query(RECORDS, tenant, {"id": flow_id, "first": 1, "after": flows["masterFlows"]["pageInfo"]["endCursor"]})

    assert body["errors"][0]["extensions"] == {"code": "BAD_USER_INPUT"}


async def test_another_tenants_cursor_is_refused(db, graphql, tenant, other_tenant):
    await db.insert(master_flows, [master_flow_row(other_tenant), master_flow_row(other_tenant), master_flow_row(tenant)])
    theirs = await graphql.data(FLOWS, other_tenant, {"first": 1})

    body = await graphql.query(FLOWS, tenant, {"first": 1, "after": theirs["masterFlows"]["pageInfo"]["endCursor"]})

    assert body["errors"][0]["extensions"] == {"code": "BAD_USER_INPUT"}


async def test_a_cursor_signed_with_another_cursor_secret_is_refused(db, graphql, tenant, settings, reader):
    await db.insert(master_flows, [master_flow_row(tenant), master_flow_row(tenant)])
    async with client_for(changed(settings, cursor_secret="another-cursor-secret-of-32-bytes-!"), reader) as http:
        elsewhere = await GraphQLClient(http, settings).data(FLOWS, tenant, {"first": 1})

    body = await graphql.query(FLOWS, tenant, {"first": 1, "after": elsewhere["masterFlows"]["pageInfo"]["endCursor"]})

    assert body["errors"][0]["extensions"] == {"code": "BAD_USER_INPUT"}


async def test_a_cursor_of_another_ordering_is_refused(db, graphql, tenant):
    await db.insert(master_flows, [master_flow_row(tenant), master_flow_row(tenant)])
    by_created = await graphql.data(FLOWS, tenant, {"first": 1})

    body = await graphql.query(
        FLOWS, tenant, {"first": 1, "after": by_created["masterFlows"]["pageInfo"]["endCursor"], "orderBy": {"field": "UPDATED_AT"}}
    )

    assert body["errors"][0]["message"] == "The cursor was made for another ordering of this list."


@pytest.mark.parametrize("garbage", ["", "abc", "a.b", "!!!.???", "eyJ4IjoxfQ.AAAA"])
async def test_garbage_cursors_are_refused(db, graphql, tenant, garbage):
    body = await graphql.query(FLOWS, tenant, {"first": 1, "after": garbage})

    assert body["errors"][0]["extensions"] == {"code": "BAD_USER_INPUT"}


async def _flows_created_one_day_apart(db, tenant, count, **columns):
    # Two flows share each timestamp, so the flow_id tie-breaker is exercised.
    rows = [
        master_flow_row(tenant, flow_name=f"flow {i:02}", created_at=T0 + timedelta(days=i // 2), updated_at=T0 - timedelta(days=i), **columns)
        for i in range(count)
    ]
    await db.insert(master_flows, rows)
    return rows


async def test_a_flow_walk_forward_visits_every_flow_once_newest_first(db, graphql, tenant):
    rows = await _flows_created_one_day_apart(db, tenant, 7)
    expected = [r["flow_name"] for r in sorted(rows, key=lambda r: (r["created_at"], r["flow_id"]), reverse=True)]

    seen, after = [], None
    while True:
        page = (await graphql.data(FLOWS, tenant, {"first": 3, "after": after}))["masterFlows"]
        seen += [n["name"] for n in page["nodes"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]

    assert seen == expected


async def test_a_flow_walk_backward_with_last_and_before_visits_every_flow_once(db, graphql, tenant):
    rows = await _flows_created_one_day_apart(db, tenant, 7)
    expected = [r["flow_name"] for r in sorted(rows, key=lambda r: (r["created_at"], r["flow_id"]), reverse=True)]

    seen, before = [], None
    while True:
        page = (await graphql.data(FLOWS, tenant, {"last": 3, "before": before}))["masterFlows"]
        seen = [n["name"] for n in page["nodes"]] + seen
        if not page["pageInfo"]["hasPreviousPage"]:
            break
        before = page["pageInfo"]["startCursor"]

    assert seen == expected


async def test_flows_order_by_updated_at_ascending(db, graphql, tenant):
    await _flows_created_one_day_apart(db, tenant, 4)

    data = await graphql.data(FLOWS, tenant, {"first": 10, "orderBy": {"field": "UPDATED_AT", "direction": "ASC"}})

    assert [n["name"] for n in data["masterFlows"]["nodes"]] == ["flow 03", "flow 02", "flow 01", "flow 00"]


async def test_flows_filter_by_type_and_status(db, graphql, tenant):
    await db.insert(
        master_flows,
        [
            master_flow_row(tenant, flow_name="a", flow_type="assessment", flow_status="active"),
            master_flow_row(tenant, flow_name="b", flow_type="assessment", flow_status="paused"),
            master_flow_row(tenant, flow_name="c", flow_type="discovery", flow_status="active"),
        ],
    )

    data = await graphql.data(FLOWS, tenant, {"filter": {"flowTypes": ["ASSESSMENT"], "statuses": ["ACTIVE"]}})

    assert data["masterFlows"]["nodes"] == [{"name": "a"}]


async def test_the_unknown_filter_value_matches_undocumented_values(db, graphql, tenant):
    await db.insert(
        master_flows,
        [
            master_flow_row(tenant, flow_name="legacy", flow_status="stalled"),
            master_flow_row(tenant, flow_name="documented", flow_status="active"),
        ],
    )

    data = await graphql.data(FLOWS, tenant, {"filter": {"statuses": ["UNKNOWN"]}})

    assert data["masterFlows"]["nodes"] == [{"name": "legacy"}]


async def test_an_empty_filter_list_matches_nothing(db, graphql, tenant):
    await db.insert(master_flows, [master_flow_row(tenant)])

    data = await graphql.data(FLOWS, tenant, {"filter": {"statuses": []}})

    assert data["masterFlows"]["nodes"] == []


@pytest.mark.parametrize("arguments", [{"first": 101}, {"last": 101}, {"first": 0}, {"last": -3}, {"first": 1, "last": 1}])
async def test_invalid_flow_page_arguments_are_refused(graphql, tenant, arguments):
    body = await graphql.query(FLOWS, tenant, arguments)

    assert body["data"] is None
    assert [e["extensions"]["code"] for e in body["errors"]] == ["BAD_USER_INPUT"]


async def test_soft_deleted_flows_are_left_out_of_the_list_unless_the_filter_names_deleted(db, graphql, tenant):
    await db.insert(
        master_flows,
        [
            master_flow_row(tenant, flow_name="kept", flow_status="active"),
            master_flow_row(tenant, flow_name="soft-deleted", flow_status="deleted"),
        ],
    )

    listed = await graphql.data(FLOWS, tenant)
    asked_for = await graphql.data(FLOWS, tenant, {"filter": {"statuses": ["DELETED"]}})

    assert listed["masterFlows"]["nodes"] == [{"name": "kept"}]
    assert asked_for["masterFlows"]["nodes"] == [{"name": "soft-deleted"}]


async def test_a_soft_deleted_flow_is_still_found_by_its_id_with_status_deleted(db, graphql, tenant):
    flow = master_flow_row(tenant, flow_status="deleted")
    await db.insert(master_flows, [flow])

    data = await graphql.data("query ($id: UUID!) { masterFlow(flowId: $id) { status } }", tenant, {"id": str(flow["flow_id"])})

    assert data == {"masterFlow": {"status": "DELETED"}}


@pytest.mark.parametrize("direction", ["ASC", "DESC"])
@pytest.mark.parametrize("field", ["CREATED_AT", "UPDATED_AT"])
async def test_paging_one_at_a_time_visits_every_flow_once_over_null_timestamps(db, graphql, tenant, field, direction):
    stamped = [
        master_flow_row(
            tenant, flow_name=f"stamped {i}", created_at=datetime(2026, 1, i + 1, tzinfo=UTC), updated_at=datetime(2026, 2, i + 1, tzinfo=UTC)
        )
        for i in range(3)
    ]
    unstamped = [master_flow_row(tenant, flow_name=f"unstamped {i}", created_at=None, updated_at=None) for i in range(3)]
    await db.insert(master_flows, stamped + unstamped)
    query = """
    query ($after: String, $before: String, $first: Int, $last: Int, $order: MasterFlowOrder) {
      masterFlows(first: $first, after: $after, last: $last, before: $before, orderBy: $order) {
        nodes { name createdAt } pageInfo { startCursor endCursor hasNextPage hasPreviousPage }
      }
    }"""
    order = {"field": field, "direction": direction}

    async def walk(forward: bool) -> list[str]:
        names, cursor = [], None
        while True:
            variables = {"order": order, **({"first": 1, "after": cursor} if forward else {"last": 1, "before": cursor})}
            page = (await graphql.data(query, tenant, variables))["masterFlows"]
            names += [node["name"] for node in page["nodes"]]
            info = page["pageInfo"]
            if not (info["hasNextPage"] if forward else info["hasPreviousPage"]):
                return names
            cursor = info["endCursor"] if forward else info["startCursor"]

    forward, backward = await walk(True), await walk(False)

    assert sorted(forward) == sorted(row["flow_name"] for row in stamped + unstamped)
    assert backward == forward[::-1]
    oldest_first = forward if direction == "ASC" else forward[::-1]
    assert all(name.startswith("unstamped") for name in oldest_first[:3])  # NULL sorts as the oldest
