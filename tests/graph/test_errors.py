"""Error masking (graph/errors.py, graph/http.py): an unexpected error reaches the client as a bare
INTERNAL_SERVER_ERROR with a request id, and the server log holds the details under that id."""

from __future__ import annotations

import logging
import uuid

from db.reader import Reader
from db.settings import changed
from graph.execution.pipeline import Pipeline
from tests.conftest import client_for

FLOW_QUERY = "query ($flowId: UUID!) { masterFlow(flowId: $flowId) { flowId name } }"
GRAPHQL_RESPONSE = "application/graphql-response+json"


def logged_errors(caplog, request_id: str) -> list[logging.LogRecord]:
    return [record for record in caplog.records if request_id in record.getMessage()]


async def test_a_database_error_is_logged_with_the_request_id_the_response_carries(settings, graphql, tenant, caplog):
    database = changed(settings.database, schema_name="no_such_schema")
    reader = await Reader.connect(database)
    try:
        async with client_for(changed(settings, database=database), reader) as client:
            with caplog.at_level(logging.ERROR, logger="flowgate"):
                response = await client.post(
                    "/graphql",
                    json={"query": FLOW_QUERY, "variables": {"flowId": str(uuid.uuid4())}},
                    headers=graphql.headers(tenant),
                )
    finally:
        await reader.close()

    request_id = response.json()["errors"][0]["extensions"]["requestId"]
    [record] = logged_errors(caplog, request_id)
    assert record.getMessage() == f"request {request_id}: INTERNAL_SERVER_ERROR"
    assert record.exc_info is not None
    assert str(record.exc_info[1]) == 'relation "no_such_schema.crewai_flow_state_extensions" does not exist'
    assert response.json() == {
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
    for detail in ("relation", "no_such_schema", "SELECT", "asyncpg", "Traceback"):
        assert detail not in response.text


async def test_an_unexpected_error_outside_execution_is_masked_and_logged(http, graphql, tenant, caplog, monkeypatch):
    def fail(self, query):
        raise RuntimeError("SELECT secret FROM migration.crewai_flow_state_extensions")

    monkeypatch.setattr(Pipeline, "prepare", fail)

    with caplog.at_level(logging.ERROR, logger="flowgate"):
        response = await graphql.post("{ __typename }", tenant, headers={"Accept": GRAPHQL_RESPONSE})

    request_id = response.json()["errors"][0]["extensions"]["requestId"]
    [record] = logged_errors(caplog, request_id)
    assert record.getMessage() == f"request {request_id}: INTERNAL_SERVER_ERROR"
    assert "SELECT secret" in str(record.exc_info[1])
    assert response.status_code == 500
    assert response.headers["content-type"] == "application/graphql-response+json; charset=utf-8"
    assert response.json() == {
        "errors": [{"message": "Internal server error.", "extensions": {"code": "INTERNAL_SERVER_ERROR", "requestId": request_id}}]
    }


async def test_a_literal_that_is_not_a_uuid_is_a_validation_error_not_a_masked_one(graphql, tenant, caplog):
    # graphql-core 3.3 keeps the scalar's ValueError as the validation error's original error.
    with caplog.at_level(logging.ERROR, logger="flowgate"):
        response = await graphql.post('{ masterFlow(flowId: "before") { name } }', tenant, headers={"Accept": GRAPHQL_RESPONSE})

    assert response.status_code == 400
    assert response.json() == {
        "errors": [
            {
                "message": "Expected value of type 'UUID', but encountered error 'badly formed hexadecimal UUID string'; found: \"before\".",
                "extensions": {"code": "GRAPHQL_VALIDATION_FAILED"},
                "locations": [{"line": 1, "column": 22}],
            }
        ]
    }
    assert caplog.records == []
