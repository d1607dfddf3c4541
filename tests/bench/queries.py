"""The headline GraphQL queries of the benchmark, with their page sizes as variables, and requests for them."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

import orjson

from tests.bench.load import _Connection, request_bytes


def graphql_request(token: str | None, query: str, variables: dict) -> bytes:
    """The bytes of a GraphQL POST with `token` as its bearer token (no Authorization header when None)."""
    body = orjson.dumps({"query": query, "variables": variables})
    headers = {"Content-Type": "application/json", **({"Authorization": f"Bearer {token}"} if token else {})}
    return request_bytes("POST", "/graphql", headers=headers, body=body)


async def graphql_data(port: int, token: str, query: str, variables: dict) -> dict:
    """The `data` of one GraphQL POST to the server on `port`; raises unless it answers 200 without errors."""
    connection = await _Connection.open(port)
    try:
        body = orjson.loads(await connection.send(graphql_request(token, query, variables)))
    finally:
        connection.close()
    if "errors" in body:
        raise RuntimeError(f"GraphQL errors: {body['errors']}")
    return body["data"]


async def first_flow_id(port: int, token: str) -> str:
    """The flow ID of the first master flow the token's tenant sees."""
    return (await graphql_data(port, token, "{ masterFlows(first: 1) { nodes { flowId } } }", {}))["masterFlows"]["nodes"][0]["flowId"]


_DETAIL_LEVELS = (
    "masterFlow(flowId: $flowId) { flowId name flowType status createdAt INNER }",
    " discovery { status progressPercentage phases { phase completed } INNER }",
    " dataImport { name importType status totalRecords INNER }",
    " rawRecords(first: $records) { edges { cursor node { rowNumber rawData isValid } } pageInfo { hasNextPage endCursor } }",
)


def detail_document(levels: int) -> str:
    """(a)'s document cut after `levels` of its four levels (one statement each); 0 asks only `__typename`."""
    if levels == 0:
        return "query FlowDetailNoLevel { __typename }"
    selection = ""
    for level in reversed(_DETAIL_LEVELS[:levels]):
        selection = level.replace(" INNER", selection)
    if levels == len(_DETAIL_LEVELS):
        return f"query FlowDetail($flowId: UUID!, $records: Int!) {{\n  {selection}\n}}\n"
    return f"query FlowDetailTo{levels}($flowId: UUID!) {{\n  {selection}\n}}\n"


FLOW_DETAIL = detail_document(len(_DETAIL_LEVELS))

FLOW_PAGE_WITH_RECORDS = """
query FlowPage($flows: Int!, $records: Int!) {
  masterFlows(first: $flows) {
    edges {
      cursor
      node {
        flowId name flowType status createdAt updatedAt
        discovery {
          status progressPercentage currentPhase
          dataImport { name importType status totalRecords rawRecords(first: $records) { nodes { rowNumber rawData isValid } } }
        }
      }
    }
    pageInfo { hasNextPage endCursor }
  }
}
"""

FLOW_PAGE = """
query FlowList($flows: Int!) {
  masterFlows(first: $flows) {
    edges {
      cursor
      node {
        flowId name flowType status createdAt updatedAt
        discovery { status progressPercentage currentPhase dataImport { name importType status totalRecords } }
      }
    }
    pageInfo { hasNextPage endCursor }
  }
}
"""


@dataclass(frozen=True)
class Scenario:
    """One measured query: its GraphQL document and variables, and the raw-SQL limit's target for the same read."""

    name: str
    graphql: str
    variables: dict
    raw_target: str


def detail(flow_id: str, records: int) -> Scenario:
    """(a): one flow's detail with a page of `records` records."""
    return Scenario(
        f"(a) flow detail, {records} records",
        FLOW_DETAIL,
        {"flowId": flow_id, "records": records},
        "/detail?" + urlencode({"flow_id": flow_id, "records": records}),
    )


def detail_to(flow_id: str, levels: int) -> Scenario:
    """(a) with 10 records cut after `levels` levels (0 to 4): what each level adds."""
    document = detail_document(levels)
    return Scenario(
        f"(a) cut after {levels} of 4 levels",
        document,
        {name: value for name, value in {"flowId": flow_id, "records": 10}.items() if f"${name}:" in document},
        "/detail?" + urlencode({"flow_id": flow_id, "records": 10, "levels": levels}),
    )


def page(flows: int, records: int) -> Scenario:
    """(b): a page of `flows` flows, each with its discovery flow, data import and `records` records."""
    return Scenario(
        f"(b) {flows} flows x discovery, import, {records} records",
        FLOW_PAGE_WITH_RECORDS,
        {"flows": flows, "records": records},
        "/page?" + urlencode({"flows": flows, "records": records}),
    )


def listing(flows: int) -> Scenario:
    """(c): a page of `flows` flows, each with its discovery flow and data import."""
    return Scenario(f"(c) {flows} flows x discovery, import", FLOW_PAGE, {"flows": flows}, f"/list?flows={flows}")
