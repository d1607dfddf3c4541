"""What the schema gives away: in production (`FLOWGATE_ENV=production`) introspection is refused and
validation errors suggest no field, argument or enum value names; in development both are on."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from graph.guards.auth import issue_token
from tests.conftest import client_for, in_production

GRAPHQL_RESPONSE = "application/graphql-response+json"


@pytest.fixture
async def production(settings, reader, tenant) -> AsyncIterator[tuple[httpx.AsyncClient, dict[str, str]]]:
    """A client on a production app, and the headers of a tenant's token signed with its secret."""
    production_settings = in_production(settings)
    headers = {"Authorization": f"Bearer {issue_token(production_settings, tenant)}", "Accept": GRAPHQL_RESPONSE}
    async with client_for(production_settings, reader) as client:
        yield client, headers


@pytest.mark.parametrize(("query", "field"), [('{ __type(name: "Query") { name } }', "__type"), ("{ __schema { description } }", "__schema")])
async def test_introspection_is_refused_in_production(production, query, field):
    client, headers = production

    response = await client.post("/graphql", json={"query": query}, headers=headers)

    assert response.status_code == 400
    assert response.json() == {
        "errors": [
            {
                "message": f"GraphQL introspection has been disabled, but the requested query contained the field '{field}'.",
                "extensions": {"code": "GRAPHQL_VALIDATION_FAILED"},
                "locations": [{"line": 1, "column": 3}],
            }
        ]
    }


async def test_introspection_answers_in_development(graphql, tenant):
    body = await graphql.data('{ __type(name: "Query") { name } }', tenant)

    assert body == {"__type": {"name": "Query"}}


MISSPELLINGS = [
    ("{ masterFlows { nodes { nmae } } }", "Cannot query field 'nmae' on type 'MasterFlow'.", " Did you mean 'name'?", 25),
    (
        "{ masterFlows(frist: 1) { totalCount } }",
        "Unknown argument 'frist' on field 'Query.masterFlows'.",
        " Did you mean 'first' or 'last'?",
        15,
    ),
    (
        "{ masterFlows(filter: {statuses: [ACTIV]}) { totalCount } }",
        "Value 'ACTIV' does not exist in 'MasterFlowStatus' enum.",
        " Did you mean the enum value 'ACTIVE'?",
        35,
    ),
]


@pytest.mark.parametrize(("query", "message", "suggestion", "column"), MISSPELLINGS, ids=["field", "argument", "enum value"])
async def test_a_misspelling_gets_no_suggestion_in_production(production, query, message, suggestion, column):
    client, headers = production

    response = await client.post("/graphql", json={"query": query}, headers=headers)

    assert response.status_code == 400
    assert response.json() == {
        "errors": [{"message": message, "extensions": {"code": "GRAPHQL_VALIDATION_FAILED"}, "locations": [{"line": 1, "column": column}]}]
    }


@pytest.mark.parametrize(("query", "message", "suggestion", "column"), MISSPELLINGS, ids=["field", "argument", "enum value"])
async def test_a_misspelling_gets_a_suggestion_in_development(graphql, tenant, query, message, suggestion, column):
    response = await graphql.post(query, tenant, headers={"Accept": GRAPHQL_RESPONSE})

    assert response.status_code == 400
    assert response.json() == {
        "errors": [
            {
                "message": message + suggestion,
                "extensions": {"code": "GRAPHQL_VALIDATION_FAILED"},
                "locations": [{"line": 1, "column": column}],
            }
        ]
    }
