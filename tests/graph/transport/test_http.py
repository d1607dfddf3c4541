"""GraphQL over HTTP (design §6, §7): methods, media types, status codes, limits, health and error masking.

Status codes follow the GraphQL-over-HTTP draft: with
`application/graphql-response+json` a request error is a 4xx; with the
legacy `application/json` a well-formed request is always answered 200.
"""

from __future__ import annotations

import asyncio
import re
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
import orjson
import pytest

from db.reader import Reader
from db.seed.rows import master_flow_row
from db.settings import DatabaseSettings, changed
from db.tables import master_flows
from graph.settings import Settings
from tests.conftest import client_for

GRAPHQL_RESPONSE = "application/graphql-response+json"
JSON = "application/json"
FLOW_QUERY = "query ($flowId: UUID!) { masterFlow(flowId: $flowId) { flowId name } }"
UNREACHABLE_DATABASE_URL = "postgresql://postgres@127.0.0.1:1/postgres"
# What a non-browser client sends with a GET or a form-encoded POST to pass CSRF prevention (see test_csrf.py).
PREFLIGHT = {"GraphQL-Require-Preflight": "1"}


@asynccontextmanager
async def client_on_database(settings: Settings, database: DatabaseSettings) -> AsyncIterator[httpx.AsyncClient]:
    """An HTTP client on an app with its own reader on `database`, closed afterwards."""
    reader = await Reader.connect(database)
    try:
        async with client_for(changed(settings, database=database), reader) as client:
            yield client
    finally:
        await reader.close()


def sql_statements_total(metrics_text: str) -> float:
    match = re.search(r"^gateway_sql_statements_total (\S+)$", metrics_text, re.MULTILINE)
    assert match, metrics_text
    return float(match.group(1))


# Methods


async def test_get_executes_a_query_from_the_query_string(http, graphql, db, tenant):
    flow = master_flow_row(tenant, flow_name="Over GET")
    await db.insert(master_flows, [flow])

    response = await http.get(
        "/graphql",
        params={"query": FLOW_QUERY, "variables": orjson.dumps({"flowId": str(flow["flow_id"])}).decode()},
        headers={**graphql.headers(tenant), **PREFLIGHT},
    )

    assert response.status_code == 200, response.text
    assert response.json() == {"data": {"masterFlow": {"flowId": str(flow["flow_id"]), "name": "Over GET"}}}


async def test_a_mutation_over_get_is_refused_with_405_allowing_post(http, graphql, tenant):
    # GraphQL-over-HTTP §GET: "If the values of {query} and {operationName} indicate that a
    # mutation operation is to be executed, the server MUST respond with error status code 405".
    # The official graphql-http audit sends exactly `mutation { __typename }` and expects 405.
    response = await http.get(
        "/graphql",
        params={"query": "mutation { __typename }"},
        headers={**graphql.headers(tenant), **PREFLIGHT, "Accept": GRAPHQL_RESPONSE},
    )

    assert response.status_code == 405, response.text
    assert response.headers["allow"] == "POST"
    assert response.json() == {"errors": [{"message": "Only queries may be sent with GET; use POST.", "extensions": {"code": "BAD_USER_INPUT"}}]}


@pytest.mark.parametrize("method", ["PUT", "PATCH", "DELETE"])
async def test_methods_other_than_get_and_post_are_not_allowed(http, graphql, tenant, method):
    response = await http.request(method, "/graphql", json={"query": "{ __typename }"}, headers=graphql.headers(tenant))

    assert response.status_code == 405
    assert response.headers["allow"] == "GET, POST"
    assert response.json() == {"errors": [{"message": "GraphQL is served over GET and POST only.", "extensions": {"code": "BAD_USER_INPUT"}}]}


# Request bodies


async def test_a_post_body_that_is_not_json_is_a_bad_request(http, graphql, tenant):
    response = await http.post("/graphql", content=b'{"query": ', headers={**graphql.headers(tenant), "Content-Type": JSON})

    assert response.status_code == 400
    assert response.json() == {"errors": [{"message": "The request body is not valid JSON.", "extensions": {"code": "BAD_USER_INPUT"}}]}


async def test_a_post_as_text_plain_is_an_unsupported_media_type(http, graphql, tenant):
    response = await http.post(
        "/graphql",
        content=b'{"query": "{ __typename }"}',
        headers={**graphql.headers(tenant), **PREFLIGHT, "Content-Type": "text/plain"},
    )

    assert response.status_code == 415
    assert response.json() == {
        "errors": [{"message": "POST requests must have Content-Type: application/json.", "extensions": {"code": "BAD_USER_INPUT"}}]
    }


async def test_extensions_that_are_not_an_object_are_a_bad_request(http, graphql, tenant):
    # GraphQL-over-HTTP §Request Parameters: `extensions`, when present, is a map.
    response = await http.post("/graphql", json={"query": "{ __typename }", "extensions": "persisted"}, headers=graphql.headers(tenant))

    assert response.status_code == 400
    assert response.json() == {"errors": [{"message": "`extensions` must be a JSON object.", "extensions": {"code": "BAD_USER_INPUT"}}]}


async def test_a_body_over_the_size_limit_is_too_large(http, graphql, settings, tenant):
    padding = " " * settings.max_body_bytes
    response = await http.post("/graphql", json={"query": "{ __typename }" + padding}, headers=graphql.headers(tenant))

    assert response.status_code == 413
    assert response.json() == {
        "errors": [{"message": f"The request body exceeds {settings.max_body_bytes} bytes.", "extensions": {"code": "BAD_USER_INPUT"}}]
    }


async def test_a_batch_returns_one_result_per_operation_in_order(graphql, db, tenant):
    flow = master_flow_row(tenant, flow_name="Batched")
    await db.insert(master_flows, [flow])

    response = await graphql.http.post(
        "/graphql",
        json=[
            {"query": FLOW_QUERY, "variables": {"flowId": str(flow["flow_id"])}},
            {"query": "{ masterFlows { totalCount } }"},
        ],
        headers=graphql.headers(tenant),
    )

    assert response.status_code == 200, response.text
    assert response.json() == [
        {"data": {"masterFlow": {"flowId": str(flow["flow_id"]), "name": "Batched"}}},
        {"data": {"masterFlows": {"totalCount": 1}}},
    ]


async def test_a_batch_item_naming_no_operation_gets_its_own_error(graphql, tenant):
    # A single request with this item is answered 400 with this error; in a batch the other
    # items must still be answered (as they are for parse and validation errors).
    response = await graphql.http.post(
        "/graphql",
        json=[{"query": "{ __typename }"}, {"query": "query A { __typename }", "operationName": "B"}],
        headers=graphql.headers(tenant),
    )

    assert response.status_code == 200, response.text
    assert response.json() == [
        {"data": {"__typename": "Query"}},
        {
            "errors": [
                {
                    "message": "Unknown operation named 'B'.",
                    "extensions": {"code": "BAD_USER_INPUT"},
                }
            ]
        },
    ]


# Media types and status codes


@pytest.mark.parametrize(("accept", "status"), [(GRAPHQL_RESPONSE, 400), (JSON, 200)])
async def test_a_syntax_error_is_a_request_error_with_the_status_its_media_type_asks_for(graphql, tenant, accept, status):
    response = await graphql.post("{ masterFlows {", tenant, headers={"Accept": accept})

    assert response.status_code == status
    assert response.json() == {
        "errors": [
            {
                "message": "Syntax Error: Expected Name, found <EOF>.",
                "extensions": {"code": "GRAPHQL_PARSE_FAILED"},
                "locations": [{"line": 1, "column": 16}],
            }
        ]
    }


async def test_an_unknown_field_fails_validation(graphql, tenant):
    response = await graphql.post("{ dataImports { id } }", tenant, headers={"Accept": GRAPHQL_RESPONSE})

    assert response.status_code == 400
    assert response.json() == {
        "errors": [
            {
                "message": "Cannot query field 'dataImports' on type 'Query'.",
                "extensions": {"code": "GRAPHQL_VALIDATION_FAILED"},
                "locations": [{"line": 1, "column": 3}],
            }
        ]
    }


async def test_an_unacceptable_accept_is_406(graphql, tenant):
    response = await graphql.post("{ __typename }", tenant, headers={"Accept": "text/csv"})

    assert response.status_code == 406
    assert response.json() == {
        "errors": [
            {
                "message": "Accept application/graphql-response+json or application/json.",
                "extensions": {"code": "BAD_USER_INPUT"},
            }
        ]
    }


async def test_the_response_is_graphql_response_json_when_accepted(graphql, tenant):
    response = await graphql.post("{ __typename }", tenant, headers={"Accept": GRAPHQL_RESPONSE})

    assert response.status_code == 200
    assert response.headers["content-type"] == "application/graphql-response+json; charset=utf-8"
    assert response.json() == {"data": {"__typename": "Query"}}


async def test_the_response_is_json_when_json_is_accepted(graphql, tenant):
    response = await graphql.post("{ __typename }", tenant, headers={"Accept": JSON})

    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json; charset=utf-8"
    assert response.json() == {"data": {"__typename": "Query"}}


async def test_the_accepted_type_with_the_highest_quality_wins(graphql, tenant):
    # GraphQL-over-HTTP §Body: respect Accept and use "the highest priority media type listed".
    response = await graphql.post("{ __typename }", tenant, headers={"Accept": f"{JSON};q=0.5, {GRAPHQL_RESPONSE}"})

    assert response.status_code == 200
    assert response.headers["content-type"] == "application/graphql-response+json; charset=utf-8"


async def test_first_over_the_flow_cap_is_bad_user_input_naming_first(graphql, tenant):
    body = await graphql.query("{ masterFlows(first: 101) { totalCount } }", tenant)

    assert body == {
        "errors": [
            {
                "message": "`first` must be between 1 and 100, got 101.",
                "extensions": {"code": "BAD_USER_INPUT"},
                "locations": [{"line": 1, "column": 3}],
                "path": ["masterFlows"],
            }
        ],
        "data": None,
    }


async def test_a_browser_gets_graphiql(http):
    response = await http.get("/graphql", headers={"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"})

    assert response.status_code == 200
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    assert response.text.lower().startswith("<!doctype html>")
    assert "<title>Flowgate GraphiQL</title>" in response.text


# Health and metrics


async def test_healthz_answers_ok(http):
    response = await http.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


async def test_readyz_answers_ready_with_a_working_database(http):
    response = await http.get("/readyz")

    assert response.status_code == 200
    assert response.json()["status"] == "ready"


async def test_readyz_is_503_naming_what_keeps_the_role_from_reading(settings, bare_platform):
    schema = bare_platform.database.schema_name
    await bare_platform.execute(f"DROP POLICY flowgate_read ON {schema}.crewai_flow_state_extensions")

    async with client_on_database(settings, bare_platform.database) as client:
        response = await client.get("/readyz")

    assert response.status_code == 503
    assert response.json()["status"] == "unavailable"
    assert response.json()["problems"] == [
        f"Row-level security on {schema}.crewai_flow_state_extensions hides every row from role {bare_platform.role}"
        f" (no FOR SELECT policy for it, no BYPASSRLS): `python -m db grants --role {bare_platform.role}` prints the SQL."
    ]


async def test_readyz_is_ready_without_triggers_and_indexes_and_lists_them_as_warnings(settings, bare_platform):
    async with client_on_database(settings, bare_platform.database) as client:
        response = await client.get("/readyz")

    assert response.status_code == 200
    assert response.json()["status"] == "ready"
    assert any(w.startswith("Trigger flowgate_notify on data_imports is missing") for w in response.json()["warnings"])
    assert any(w.startswith("Index (data_import_id, row_number, id)") for w in response.json()["warnings"])


async def test_metrics_count_the_sql_statements_of_a_query(http, graphql, tenant):
    before = sql_statements_total((await http.get("/metrics")).text)

    await graphql.data("{ masterFlows { nodes { flowId } } }", tenant)

    response = await http.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    assert sql_statements_total(response.text) > before


# Error masking and an unavailable database


async def test_a_database_error_is_masked_as_internal_server_error(settings, graphql, tenant):
    flow_id = uuid.uuid4()
    database = changed(settings.database, schema_name="no_such_schema")

    async with client_on_database(settings, database) as client:
        response = await client.post(
            "/graphql",
            json={"query": FLOW_QUERY, "variables": {"flowId": str(flow_id)}},
            headers=graphql.headers(tenant),
        )

    body = response.json()
    request_id = body["errors"][0]["extensions"].get("requestId")
    assert isinstance(request_id, str) and request_id
    assert response.status_code == 200
    assert body == {
        "errors": [
            {
                "message": "Internal server error.",
                "extensions": {"code": "INTERNAL_SERVER_ERROR", "requestId": request_id},
                "locations": [{"line": 1, "column": 26}],
                "path": ["masterFlow"],
            }
        ],
        "data": {"masterFlow": None},
    }
    request_uuids = [flow_id, tenant.client_account_id, tenant.engagement_id]
    for secret in ("SELECT", "relation", "no_such_schema", *map(str, request_uuids), *(u.hex for u in request_uuids)):
        assert secret not in response.text


async def test_an_unreachable_database_is_service_unavailable_promptly(settings, graphql, tenant):
    database = changed(settings.database, url=UNREACHABLE_DATABASE_URL)

    async with asyncio.timeout(10), client_on_database(settings, database) as client:
        response = await client.post("/graphql", json={"query": "{ masterFlows { totalCount } }"}, headers=graphql.headers(tenant))

    body = response.json()
    request_id = body["errors"][0]["extensions"].get("requestId")
    assert isinstance(request_id, str) and request_id
    assert response.status_code == 200
    assert body == {
        "errors": [
            {
                "message": "The database is unavailable; try again shortly.",
                "extensions": {"code": "SERVICE_UNAVAILABLE", "requestId": request_id},
                "locations": [{"line": 1, "column": 3}],
                "path": ["masterFlows"],
            }
        ],
        "data": None,
    }


async def test_readyz_is_503_when_the_database_is_unreachable(settings):
    database = changed(settings.database, url=UNREACHABLE_DATABASE_URL)

    async with asyncio.timeout(10), client_on_database(settings, database) as client:
        response = await client.get("/readyz")

    assert response.status_code == 503
    assert response.json() == {"status": "unavailable", "problems": ["The database does not answer (ConnectionRefusedError)."], "warnings": []}


async def test_healthz_is_ok_when_the_database_is_unreachable(settings):
    database = changed(settings.database, url=UNREACHABLE_DATABASE_URL)

    async with asyncio.timeout(10), client_on_database(settings, database) as client:
        response = await client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
