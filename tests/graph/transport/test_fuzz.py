"""Fuzzing (the issue "Protocol compliance and abuse resistance"): whatever a client sends, the gateway
answers with a coded client error, never a 5xx or INTERNAL_SERVER_ERROR.

- Schemathesis generates valid and invalid queries from the served schema (introspected from
  `python -m graph serve`) and sends them with a real tenant's token.
- Hypothesis throws arbitrary `first`/`after`/`last`/`before` values at both connections through
  the ASGI app.

Both run over a tenant whose flows have discovery flows, imports and records, so nested fields
execute too.  Each is bounded in examples (and so in time).
"""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from schemathesis.generation.modes import GenerationMode
from schemathesis.graphql import nodes

from db.seed.rows import data_import_row, discovery_flow_row, master_flow_row, raw_record_row
from db.tables import data_imports, discovery_flows, master_flows, raw_import_records

_BOUNDED = {
    "deadline": None,
    "database": None,  # a failure prints its falsifying example; nothing is written to the checkout
    "suppress_health_check": [HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
}
# About 6 s against the live server, and under a second per connection through the ASGI app.
SCHEMATHESIS_SETTINGS = hypothesis_settings(max_examples=100, phases=[Phase.generate], **_BOUNDED)
PAGE_FUZZ_SETTINGS = hypothesis_settings(max_examples=200, **_BOUNDED)
REQUEST_TIMEOUT_SECONDS = 10

# The schema's only input scalar; arbitrary strings as well as UUIDs, so its parsing is fuzzed too.
schemathesis.graphql.scalar("UUID", st.one_of(st.uuids().map(str), st.text(max_size=40)).map(nodes.String))


async def _flows_with_records(db, tenant, flows: int = 3, records_each: int = 5) -> None:
    """`flows` master flows, each with a discovery flow, its import and `records_each` records."""
    masters, imports, discoveries, records = [], [], [], []
    for _ in range(flows):
        master, imported = master_flow_row(tenant), data_import_row(tenant)
        masters.append(master)
        imports.append(imported)
        discoveries.append(discovery_flow_row(tenant, master_flow_id=master["flow_id"], data_import_id=imported["id"]))
        records += [raw_record_row(tenant, data_import_id=imported["id"], row_number=n, raw_data={"n": n}) for n in range(1, records_each + 1)]
    await db.insert(master_flows, masters)
    await db.insert(data_imports, imports)
    await db.insert(discovery_flows, discoveries)
    await db.insert(raw_import_records, records)


def unexplained_errors(status: int, body: Any) -> list[Any]:
    """The errors of a response that break the contract: a 5xx, or an error without a client code."""
    if status >= 500:
        return [f"HTTP {status}"]
    results = body if isinstance(body, list) else [body]
    errors = [error for result in results for error in result.get("errors", [])]
    return [
        error
        for error in errors
        if not isinstance(error.get("extensions"), dict)
        or not error["extensions"].get("code")
        or error["extensions"]["code"] in ("INTERNAL_SERVER_ERROR", "SERVICE_UNAVAILABLE")
    ]


async def test_schemathesis_queries_get_only_coded_client_errors(live_server, graphql, db, tenant):
    await _flows_with_records(db, tenant)
    headers = graphql.headers(tenant)
    schema = schemathesis.graphql.from_url(f"{live_server}/graphql", headers=headers, timeout=REQUEST_TIMEOUT_SECONDS)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert sorted(operation.label for operation in operations) == ["Query.masterFlow", "Query.masterFlows"]
    cases = st.sampled_from(operations).flatmap(
        lambda operation: st.one_of(operation.as_strategy(GenerationMode.POSITIVE), operation.as_strategy(GenerationMode.NEGATIVE))
    )

    @SCHEMATHESIS_SETTINGS
    @given(case=cases)
    def check(case):
        response = case.call(headers=headers, timeout=REQUEST_TIMEOUT_SECONDS)
        assert unexplained_errors(response.status_code, response.json()) == [], case.body

    check()


def _mutated(cursor: str) -> st.SearchStrategy[str]:
    """`cursor` with one character replaced."""
    return st.tuples(st.integers(0, len(cursor) - 1), st.characters(codec="ascii")).map(
        lambda change: cursor[: change[0]] + change[1] + cursor[change[0] + 1 :]
    )


def _cursors(valid: list[str]) -> st.SearchStrategy[Any]:
    """Cursors of both lists (valid or not for the list at hand), their one-character mutations, and junk."""
    base64url = st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_=", max_size=40)
    return st.one_of(
        st.sampled_from(valid),
        st.sampled_from(valid).flatmap(_mutated),
        st.tuples(base64url, base64url).map(".".join),
        st.text(max_size=60),
        st.integers(),
    )


def _page_arguments(cursors: list[str]) -> st.SearchStrategy[dict[str, Any]]:
    sizes = st.one_of(
        st.integers(min_value=-5, max_value=600),
        st.integers(min_value=-(2**40), max_value=2**40),
        st.floats(allow_nan=False, allow_infinity=False),
        st.text(max_size=5),
        st.booleans(),
    )
    return st.fixed_dictionaries({}, optional={"first": sizes, "last": sizes, "after": _cursors(cursors), "before": _cursors(cursors)})


FLOW_PAGE = """
query ($first: Int, $after: String, $last: Int, $before: String) {
  masterFlows(first: $first, after: $after, last: $last, before: $before) { totalCount nodes { flowId } pageInfo { endCursor } }
}
"""
RECORD_PAGE = """
query ($first: Int!, $after: String) {
  masterFlows(first: 3) { nodes { discovery { dataImport { rawRecords(first: $first, after: $after) { nodes { rowNumber } } } } } }
}
"""
CURSORS = """
{ masterFlows(first: 3) { edges { cursor node { discovery { dataImport { rawRecords(first: 3) { edges { cursor } } } } } } } }
"""


@pytest.fixture
async def paged_tenant(db, graphql, tenant):
    """A tenant with flows, discovery flows, imports and records to page through, and cursors of both lists."""
    await _flows_with_records(db, tenant)
    edges = (await graphql.data(CURSORS, tenant))["masterFlows"]["edges"]
    flow_cursors = [edge["cursor"] for edge in edges]
    record_cursors = [e["cursor"] for edge in edges for e in edge["node"]["discovery"]["dataImport"]["rawRecords"]["edges"]]
    return tenant, flow_cursors + record_cursors


@pytest.mark.parametrize("query", [FLOW_PAGE, RECORD_PAGE], ids=["masterFlows", "rawRecords"])
@PAGE_FUZZ_SETTINGS
@given(data=st.data())
async def test_arbitrary_page_arguments_get_only_bad_user_input(http, graphql, paged_tenant, query, data):
    tenant, cursors = paged_tenant
    arguments = data.draw(_page_arguments(cursors), label="variables")

    response = await http.post("/graphql", json={"query": query, "variables": arguments}, headers=graphql.headers(tenant))

    body = response.json()
    assert unexplained_errors(response.status_code, body) == []
    assert {error["extensions"]["code"] for error in body.get("errors", [])} <= {"BAD_USER_INPUT", "QUERY_TOO_COMPLEX"}
