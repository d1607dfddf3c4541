"""Query size limits (design §6): possible nodes, depth, aliases and tokens.

Possible nodes are counted GitHub-style: each connection's page size times
the page sizes of the connections around it.  A refused query is a request
error: HTTP 400 with `application/graphql-response+json`, and no `data`.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from graphql import get_introspection_query, graphql_sync

from db.seed.rows import data_import_row, discovery_flow_row, master_flow_row, raw_record_row
from db.settings import changed
from db.tables import data_imports, discovery_flows, master_flows, raw_import_records
from db.tenancy import Tenant
from graph.schema.root import schema
from tests.conftest import GraphQLClient, client_for

GRAPHQL_RESPONSE = "application/graphql-response+json"

# 100 flows + 100 × 500 records = 50,100 possible nodes.
RECORDS = "discovery { dataImport { rawRecords(first: 500) { nodes { rowNumber } } } }"
FULL_PAGE = "masterFlows(first: 100) { nodes { %s } }" % RECORDS
FULL_PAGE_TWICE = "{ a: %s b: %s }" % (FULL_PAGE, FULL_PAGE)


def too_complex(message: str) -> dict[str, Any]:
    """The whole body of a request refused by a size limit (located at its operation)."""
    error = {"message": message, "extensions": {"code": "QUERY_TOO_COMPLEX"}, "locations": [{"line": 1, "column": 1}]}
    return {"errors": [error]}


def nested(field: str, depth: int, leaf: str = "flowId") -> str:
    """`field { field { … leaf } }`, `depth` fields deep counting the leaf."""
    return f"{field} {{ " * (depth - 1) + leaf + " }" * (depth - 1)


async def post(graphql: GraphQLClient, query: str, tenant: Tenant, variables: dict[str, Any] | None = None, **json: Any) -> httpx.Response:
    """POSTs `query` (and `json`'s other members) as `tenant`, accepting `application/graphql-response+json`."""
    return await graphql.http.post(
        "/graphql",
        json={"query": query, "variables": variables, **json},
        headers={**graphql.headers(tenant), "Accept": GRAPHQL_RESPONSE},
    )


def assert_request_error(response: httpx.Response, body: dict[str, Any]) -> None:
    """`response` answers a request error (no `data`) with exactly `body`."""
    assert response.status_code == 400, response.text
    assert response.headers["content-type"] == f"{GRAPHQL_RESPONSE}; charset=utf-8"
    assert response.json() == body


@pytest.fixture
async def ten_nodes(settings, reader) -> AsyncIterator[GraphQLClient]:
    """A client of an app whose node limit is 10."""
    async with client_for(changed(settings, max_nodes=10), reader) as http:
        yield GraphQLClient(http, settings)


# Possible nodes


async def test_a_nested_query_under_the_node_limit_runs(graphql, db, tenant):
    flow, imported = master_flow_row(tenant), data_import_row(tenant)
    await db.insert(master_flows, [flow])
    await db.insert(data_imports, [imported])
    await db.insert(discovery_flows, [discovery_flow_row(tenant, master_flow_id=flow["flow_id"], data_import_id=imported["id"])])
    await db.insert(
        raw_import_records,
        [raw_record_row(tenant, data_import_id=imported["id"], row_number=n, raw_data={}) for n in (1, 2)],
    )

    response = await post(graphql, "{ %s }" % FULL_PAGE, tenant)

    assert response.status_code == 200, response.text
    assert response.json() == {
        "data": {"masterFlows": {"nodes": [{"discovery": {"dataImport": {"rawRecords": {"nodes": [{"rowNumber": 1}, {"rowNumber": 2}]}}}}]}}
    }


async def test_aliases_count_every_copy_of_a_connection(graphql, tenant):
    response = await post(graphql, FULL_PAGE_TWICE, tenant)

    assert_request_error(response, too_complex("The query may return up to 100,200 nodes; the limit is 100,000."))


async def test_page_sizes_given_as_variables_count(graphql, tenant):
    page = FULL_PAGE.replace("100", "$flows").replace("500", "$records")
    query = "query ($flows: Int, $records: Int!) { a: %s b: %s }" % (page, page)

    response = await post(graphql, query, tenant, {"flows": 100, "records": 500})

    assert_request_error(response, too_complex("The query may return up to 100,200 nodes; the limit is 100,000."))


async def test_the_same_document_is_counted_with_each_requests_variables(graphql, tenant):
    query = "query ($records: Int!) { a: %s b: %s }" % ((FULL_PAGE.replace("500", "$records"),) * 2)

    small = await post(graphql, query, tenant, {"records": 499})
    large = await post(graphql, query, tenant, {"records": 500})

    assert small.status_code == 200, small.text
    assert small.json() == {"data": {"a": {"nodes": []}, "b": {"nodes": []}}}
    assert_request_error(large, too_complex("The query may return up to 100,200 nodes; the limit is 100,000."))


async def test_a_fragment_counts_at_every_spread(graphql, tenant):
    query = (
        "{ a: masterFlows(first: 100) { ...Records } b: masterFlows(first: 100) { ...Records } }"
        " fragment Records on MasterFlowConnection { nodes { %s } }" % RECORDS
    )

    response = await post(graphql, query, tenant)

    assert_request_error(response, too_complex("The query may return up to 100,200 nodes; the limit is 100,000."))


async def test_an_inline_fragment_counts_like_its_fields(graphql, tenant):
    inline = "masterFlows(first: 100) { ... on MasterFlowConnection { nodes { %s } } }" % RECORDS
    query = "{ a: %s b: %s }" % (FULL_PAGE, inline)

    response = await post(graphql, query, tenant)

    assert_request_error(response, too_complex("The query may return up to 100,200 nodes; the limit is 100,000."))


async def test_a_fragment_cycle_is_the_specs_validation_error(graphql, tenant):
    query = (
        "{ masterFlows { nodes { ...Children } } }"
        " fragment Children on MasterFlow { childFlows { ...Parent } }"
        " fragment Parent on MasterFlow { parentFlow { ...Children } }"
    )

    response = await post(graphql, query, tenant)

    assert_request_error(
        response,
        {
            "errors": [
                {
                    "message": "Cannot spread fragment 'Children' within itself via 'Parent'.",
                    "extensions": {"code": "GRAPHQL_VALIDATION_FAILED"},
                    "locations": [{"line": 1, "column": 90}, {"line": 1, "column": 149}],
                }
            ]
        },
    )


async def test_only_the_operation_named_by_operation_name_is_counted(graphql, tenant):
    query = "query Small { masterFlows(first: 1) { totalCount } } query Large %s" % FULL_PAGE_TWICE

    response = await post(graphql, query, tenant, operationName="Small")

    assert response.status_code == 200, response.text
    assert response.json() == {"data": {"masterFlows": {"totalCount": 0}}}


async def test_the_node_limit_comes_from_the_settings(ten_nodes, tenant):
    response = await post(ten_nodes, "{ masterFlows(first: 11) { totalCount } }", tenant)

    assert_request_error(response, too_complex("The query may return up to 11 nodes; the limit is 10."))


async def test_master_flows_without_first_or_last_counts_its_default_page_of_20(ten_nodes, tenant):
    response = await post(ten_nodes, "{ masterFlows { totalCount } }", tenant)

    assert_request_error(response, too_complex("The query may return up to 20 nodes; the limit is 10."))


async def test_raw_records_without_first_counts_its_default_of_50(ten_nodes, tenant):
    query = "{ masterFlows(first: 1) { nodes { discovery { dataImport { rawRecords { totalCount } } } } } }"

    response = await post(ten_nodes, query, tenant)

    assert_request_error(response, too_complex("The query may return up to 51 nodes; the limit is 10."))


async def test_field_mappings_count_their_default_page_of_100_under_each_flow(ten_nodes, tenant):
    query = "{ masterFlows(first: 2) { nodes { discovery { dataImport { fieldMappings { totalCount } } } } } }"

    response = await post(ten_nodes, query, tenant)

    assert_request_error(response, too_complex("The query may return up to 202 nodes; the limit is 10."))


async def test_recommendations_and_conflicts_count_like_every_connection(graphql, tenant):
    # 100 flows + 100 × (500 + 500) + 100 × 500 mappings = 150,100: each connection counts, side by side.
    findings = "cleansingRecommendations(first: 500) { totalCount } assetConflicts(first: 500) { totalCount }"
    mappings = "dataImport { fieldMappings(first: 500) { totalCount } }"
    query = "{ masterFlows(first: 100) { nodes { discovery { %s %s } } } }" % (findings, mappings)

    response = await post(graphql, query, tenant)

    assert_request_error(response, too_complex("The query may return up to 150,100 nodes; the limit is 100,000."))


async def test_last_counts_like_first(ten_nodes, tenant):
    response = await post(ten_nodes, "{ masterFlows(last: 11) { totalCount } }", tenant)

    assert_request_error(response, too_complex("The query may return up to 11 nodes; the limit is 10."))


async def test_an_unpaged_list_counts_as_ten_items_per_parent(graphql, tenant):
    # 100 flows + 100 × 10 child flows + 100 × 10 × 100 records.
    records = "discovery { dataImport { rawRecords(first: 100) { totalCount } } }"
    query = "{ masterFlows(first: 100) { nodes { childFlows { %s } } } }" % records

    response = await post(graphql, query, tenant)

    assert_request_error(response, too_complex("The query may return up to 101,100 nodes; the limit is 100,000."))


async def test_a_negative_page_size_cannot_offset_other_connections(graphql, tenant):
    query = "{ n: masterFlows(first: -1000000) { totalCount } a: %s b: %s }" % (FULL_PAGE, FULL_PAGE)

    response = await post(graphql, query, tenant)

    assert_request_error(response, too_complex("The query may return up to 100,200 nodes; the limit is 100,000."))


async def test_a_negative_page_size_is_left_to_the_resolver(graphql, tenant):
    response = await post(graphql, "{ masterFlows(first: -1) { totalCount } }", tenant)

    assert response.status_code == 200, response.text
    assert response.json() == {
        "errors": [
            {
                "message": "`first` must be between 1 and 100, got -1.",
                "extensions": {"code": "BAD_USER_INPUT"},
                "locations": [{"line": 1, "column": 3}],
                "path": ["masterFlows"],
            }
        ],
        "data": None,
    }


async def test_a_page_size_variable_of_the_wrong_type_is_a_coercion_error(graphql, tenant):
    query = "query ($flows: Int) { %s }" % FULL_PAGE.replace("100", "$flows")

    response = await post(graphql, query, tenant, {"flows": "all"})

    assert_request_error(
        response,
        {
            "errors": [
                {
                    "message": "Variable '$flows' has invalid value: Int cannot represent non-integer value: 'all'",
                    "extensions": {"code": "BAD_USER_INPUT"},
                    "locations": [{"line": 1, "column": 8}],
                }
            ]
        },
    )


async def test_graphiqls_introspection_query_is_not_limited(graphql, tenant):
    query = get_introspection_query(descriptions=True)

    response = await post(graphql, query, tenant)

    assert response.status_code == 200, response.text
    assert response.json() == {"data": graphql_sync(schema._schema, query).data}


# Depth


async def test_a_query_at_the_depth_limit_runs(graphql, settings, tenant):
    # masterFlows and nodes are the first two levels.
    query = "{ masterFlows { nodes { %s } } }" % nested("parentFlow", settings.max_query_depth - 2)

    response = await post(graphql, query, tenant)

    assert response.status_code == 200, response.text
    assert response.json() == {"data": {"masterFlows": {"nodes": []}}}


async def test_a_query_over_the_depth_limit_is_refused(graphql, settings, tenant):
    depth = settings.max_query_depth
    query = "{ masterFlows { nodes { %s } } }" % nested("parentFlow", depth - 1)

    response = await post(graphql, query, tenant)

    assert_request_error(response, too_complex(f"The query is {depth + 1} fields deep; the limit is {depth}."))


async def test_depth_inside_a_fragment_counts_where_it_is_spread(graphql, settings, tenant):
    depth = settings.max_query_depth
    query = "{ masterFlows { nodes { ...Ancestors } } } fragment Ancestors on MasterFlow { %s }" % nested("parentFlow", depth - 1)

    response = await post(graphql, query, tenant)

    assert_request_error(response, too_complex(f"The query is {depth + 1} fields deep; the limit is {depth}."))


# Aliases


async def test_a_query_at_the_alias_limit_runs(graphql, settings, tenant):
    names = [f"a{i}" for i in range(settings.max_aliases)]
    query = "{ %s }" % " ".join(f"{name}: __typename" for name in names)

    response = await post(graphql, query, tenant)

    assert response.status_code == 200, response.text
    assert response.json() == {"data": {name: "Query" for name in names}}


async def test_a_query_over_the_alias_limit_is_refused(graphql, settings, tenant):
    limit = settings.max_aliases
    query = "{ %s }" % " ".join(f"a{i}: __typename" for i in range(limit + 1))

    response = await post(graphql, query, tenant)

    assert_request_error(response, too_complex(f"The query uses {limit + 1} aliases; the limit is {limit}."))


async def test_aliases_inside_a_fragment_count_at_every_spread(graphql, settings, tenant):
    # Just over half the limit in the fragment, spread twice.
    limit, in_fragment = settings.max_aliases, settings.max_aliases // 2 + 1
    aliases = " ".join(f"id{i}: flowId" for i in range(in_fragment))
    query = "{ masterFlows { nodes { ...Ids } edges { node { ...Ids } } } } fragment Ids on MasterFlow { %s }" % aliases

    response = await post(graphql, query, tenant)

    assert_request_error(response, too_complex(f"The query uses {2 * in_fragment} aliases; the limit is {limit}."))


# Tokens


async def test_a_query_over_the_token_limit_is_refused(graphql, settings, tenant):
    query = "{ %s}" % ("__typename " * settings.max_tokens)

    response = await post(graphql, query, tenant)

    message = f"The query has more than {settings.max_tokens} tokens."
    assert_request_error(response, {"errors": [{"message": message, "extensions": {"code": "QUERY_TOO_COMPLEX"}}]})
