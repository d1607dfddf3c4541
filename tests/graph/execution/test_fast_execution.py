"""The fast executor gives exactly what graphql-core's stock executor gives: data, errors, paths."""

from __future__ import annotations

import gc
import weakref

import hypothesis_graphql
import orjson
import pytest
import strawberry
from graphql import execute, parse
from hypothesis import Phase, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from hypothesis_graphql import nodes as graphql_nodes

from db.seed.rows import data_import_row, discovery_flow_row, master_flow_row, raw_record_row
from db.tables import data_imports, discovery_flows, master_flows, raw_import_records
from graph.context import Context
from graph.execution.compat import StockExecutionContext
from graph.execution.fast import FastExecutionContext
from graph.schema.root import schema, sdl

QUERIES = {
    "nested page with records": """{ masterFlows(first: 10) { totalCount edges { cursor node {
        __typename flowId name flowType flowTypeRaw status createdAt
        discovery { status phases { phase completed } dataImport { name fileSize
          rawRecords(first: 2) { totalCount edges { cursor node { rowNumber rawData cleansedData isValid } } pageInfo { hasNextPage endCursor } } } }
        parentFlow { name } childFlows { name status } } } pageInfo { hasNextPage hasPreviousPage startCursor endCursor } } }""",
    "aliases and fragments": """{ a: masterFlows(first: 2) { nodes { ...F } } b: masterFlows(last: 1) { nodes { ...F id: flowId } } }
        fragment F on MasterFlow { flowId ... on MasterFlow { name discovery { s: status } } }""",
    "an error nulls a nullable parent": """{ masterFlows(first: 3) { nodes { name discovery {
        dataImport { name rawRecords(first: 0) { totalCount } } } } } }""",
    "an error in a list propagates to the nullable root": """{ masterFlows(first: 200) { nodes { name } } }""",
    "two failures in one object": """{ masterFlows(first: 2) { nodes { name discovery { dataImport {
        a: rawRecords(first: 0) { totalCount } name b: rawRecords(first: 501) { totalCount } } } } } }""",
    "skip and include": """query ($yes: Boolean = true) { masterFlows(first: 3) { nodes { name @skip(if: $yes) flowId @include(if: $yes) } } }""",
}


@pytest.fixture
async def flows(db, tenant):
    parent = master_flow_row(tenant, flow_name="parent")
    rows = [parent] + [master_flow_row(tenant, flow_name=f"child {i}", parent_flow_id=parent["flow_id"]) for i in range(3)]
    imports = [data_import_row(tenant, import_name=f"import {i}", file_size=10**i) for i in range(3)]
    await db.insert(master_flows, rows[:1])
    await db.insert(master_flows, rows[1:])
    await db.insert(data_imports, imports)
    await db.insert(
        discovery_flows,
        [discovery_flow_row(tenant, master_flow_id=rows[i]["flow_id"], data_import_id=imports[i]["id"] if i < 3 else None) for i in range(4)],
    )
    await db.insert(
        raw_import_records,
        [
            raw_record_row(
                tenant, data_import_id=imported["id"], row_number=n, raw_data={"n": n, "host": f"h{n}"}, cleansed_data={"n": n} if n % 2 else None
            )
            for imported in imports
            for n in range(1, 4)
        ],
    )


async def _run(executor_class, query, reader, tenant):
    context = Context.create(reader=reader, tenant=tenant, cursor_secret=b"s" * 32, request_id="test")
    result = await execute(schema._schema, parse(query), context_value=context, executor_class=executor_class)
    return result.data, [error.formatted for error in result.errors or []]


@pytest.mark.parametrize("query", QUERIES.values(), ids=QUERIES.keys())
async def test_the_fast_executor_matches_the_stock_executor(flows, reader, tenant, query):
    stock = await _run(StockExecutionContext, query, reader, tenant)
    fast = await _run(FastExecutionContext, query, reader, tenant)

    assert fast[1] == stock[1]
    assert _flat(_decoded(fast[0])) == _flat(_decoded(stock[0]))
    assert stock[0] is not None or stock[1]


def _decoded(data):
    """The data as a client decodes it (JSON values arrive as pre-encoded fragments)."""
    return orjson.loads(orjson.dumps(data))


def _flat(value, prefix=""):
    """Leaf paths to values, so a mismatch names the exact field."""
    if isinstance(value, dict):
        return {k: v for key, item in value.items() for k, v in _flat(item, f"{prefix}.{key}").items()}
    if isinstance(value, list):
        return {k: v for index, item in enumerate(value) for k, v in _flat(item, f"{prefix}[{index}]").items()}
    return {prefix: value}


async def _run_parsed(document, variables, reader, tenant):
    context = Context.create(reader=reader, tenant=tenant, cursor_secret=b"s" * 32, request_id="test")
    result = await execute(schema._schema, document, context_value=context, variable_values=variables, executor_class=FastExecutionContext)
    assert not result.errors
    return result.data


async def test_requests_sharing_a_parsed_query_with_skip_each_get_the_fields_their_variables_select(flows, reader, tenant):
    # Documents are parsed once per query text; what @skip collects must not be shared between requests.
    document = parse("query ($skip: Boolean!) { masterFlows(first: 1) { nodes { name @skip(if: $skip) } } }")

    skipped = await _run_parsed(document, {"skip": True}, reader, tenant)
    kept = await _run_parsed(document, {"skip": False}, reader, tenant)

    assert skipped == {"masterFlows": {"nodes": [{}]}}
    assert kept["masterFlows"]["nodes"][0].keys() == {"name"}


async def test_requests_sharing_a_parsed_query_each_get_the_page_their_variables_ask_for(flows, reader, tenant):
    document = parse("query ($first: Int!) { masterFlows(first: $first) { nodes { name discovery { status } } } }")

    one = await _run_parsed(document, {"first": 1}, reader, tenant)
    three = await _run_parsed(document, {"first": 3}, reader, tenant)

    assert len(one["masterFlows"]["nodes"]) == 1
    assert len(three["masterFlows"]["nodes"]) == 3
    assert three["masterFlows"]["nodes"][0] == one["masterFlows"]["nodes"][0]


async def test_a_finished_request_is_freed_without_waiting_for_the_garbage_collector(flows, reader, tenant):
    # A reference cycle would keep the context, its loaders and their rows until the next collection.
    context = Context.create(reader=reader, tenant=tenant, cursor_secret=b"s" * 32, request_id="test")
    freed = weakref.ref(context)
    document = parse("{ masterFlows(first: 3) { nodes { name discovery { dataImport { rawRecords(first: 2) { nodes { rawData } } } } } } }")
    gc.collect()
    gc.disable()
    try:
        result = await execute(schema._schema, document, context_value=context, executor_class=FastExecutionContext)
        assert not result.errors
        del context, result
        assert freed() is None
    finally:
        gc.enable()


def _generated_queries(count: int) -> list[str]:
    """`count` valid queries over the real schema, from hypothesis-graphql (drawn up front: the run below is async)."""
    strategy = hypothesis_graphql.queries(
        sdl(),
        custom_scalars={"UUID": st.uuids().map(str).map(graphql_nodes.String)},
    )
    drawn: list[str] = []

    @hypothesis_settings(max_examples=count, deadline=None, database=None, phases=[Phase.generate])
    @given(strategy)
    def draw(query: str) -> None:
        drawn.append(query)

    draw()
    return drawn


async def test_generated_queries_over_the_real_schema_match_the_stock_executor(flows, reader, tenant):
    for query in _generated_queries(150):
        stock = await _run(StockExecutionContext, query, reader, tenant)
        fast = await _run(FastExecutionContext, query, reader, tenant)

        assert sorted(fast[1], key=repr) == sorted(stock[1], key=repr), query
        assert _flat(_decoded(fast[0])) == _flat(_decoded(stock[0])), query


async def test_two_schemas_in_one_process_each_run_their_own_resolvers():
    # Same type and field names, different resolvers: a cache of field kinds by name would mix them up.
    def schema_answering(answer: str):
        @strawberry.type
        class Query:
            @strawberry.field
            def greeting(self) -> str:
                return answer

        return strawberry.Schema(query=Query)._schema

    first, second = schema_answering("first"), schema_answering("second")

    results = [execute(s, parse("{ greeting }"), executor_class=FastExecutionContext).data for s in (first, second, first)]

    assert results == [{"greeting": "first"}, {"greeting": "second"}, {"greeting": "first"}]


@strawberry.type
class NamedItem:
    name: str


@strawberry.type
class ItemsQuery:
    @strawberry.field
    def items(self) -> list[NamedItem] | None:
        return [NamedItem(name="a"), None]  # type: ignore[list-item]


def test_a_null_item_of_a_non_null_list_fails_with_graphql_cores_message():
    schema_ = strawberry.Schema(query=ItemsQuery)._schema
    results = [execute(schema_, parse("{ items { name } }"), executor_class=c) for c in (FastExecutionContext, StockExecutionContext)]

    assert [r.errors[0].message for r in results] == ["Cannot return null for non-nullable field ItemsQuery.items."] * 2
