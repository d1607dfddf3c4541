"""Per-tenant rate limits through the app (graph/guards/rate_limit/limit.py), on windows kept in process and in Redis.

A tenant has 10 points per window; `{ masterFlows(first: 7) … }` costs 7
and `first: 3` costs 3, so the second of two 7s is the one refused.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from db.settings import changed
from tests.conftest import GraphQLClient, client_for
from tests.graph.guards.rate_limit.budget import COSTS_3, COSTS_7, NO_FLOWS, POINTS, cost, seconds_until

GRAPHQL_RESPONSE = "application/graphql-response+json"
WINDOW_SECONDS = 60.0
SHORT_WINDOW_SECONDS = 0.5


@pytest.fixture
async def limited_graphql(budget_settings, reader) -> AsyncIterator[GraphQLClient]:
    """A client of an app allowing each tenant 10 points a minute."""
    async with client_for(budget_settings, reader) as http:
        yield GraphQLClient(http, budget_settings)


def reset_at(body: dict) -> str:
    return body["extensions"]["cost"]["resetAt"]


# The cost


async def test_an_operation_costs_the_nodes_it_may_return(limited_graphql, tenant):
    body = await limited_graphql.query(COSTS_7, tenant)

    assert body == {"data": NO_FLOWS, "extensions": cost(7, POINTS - 7, reset_at(body))}
    assert WINDOW_SECONDS - 1 <= seconds_until(reset_at(body)) <= WINDOW_SECONDS + 1


async def test_an_operation_without_connections_costs_one_point(limited_graphql, tenant):
    body = await limited_graphql.query("{ __typename }", tenant)

    assert body == {"data": {"__typename": "Query"}, "extensions": cost(1, POINTS - 1, reset_at(body))}


async def test_a_response_with_errors_carries_its_cost_too(limited_graphql, tenant):
    body = await limited_graphql.query("{ masterFlows(first: 0) { totalCount } }", tenant)

    assert body == {
        "errors": [
            {
                "message": "`first` must be between 1 and 100, got 0.",
                "extensions": {"code": "BAD_USER_INPUT"},
                "locations": [{"line": 1, "column": 3}],
                "path": ["masterFlows"],
            }
        ],
        "data": None,
        "extensions": cost(1, POINTS - 1, reset_at(body)),
    }


async def test_a_document_refused_before_the_charge_costs_nothing_and_carries_no_cost(limited_graphql, tenant):
    invalid = await limited_graphql.query("{ noSuchField }", tenant)
    after = await limited_graphql.query(COSTS_7, tenant)

    assert "extensions" not in invalid and [e["extensions"]["code"] for e in invalid["errors"]] == ["GRAPHQL_VALIDATION_FAILED"]
    assert after["extensions"]["cost"]["remaining"] == POINTS - 7


async def test_without_a_rate_limit_responses_carry_no_cost(graphql, tenant):
    assert await graphql.query(COSTS_7, tenant) == {"data": NO_FLOWS}


# Over the limit


async def test_an_operation_costing_more_than_remains_is_refused_with_429_and_retry_after(limited_graphql, tenant):
    first = await limited_graphql.query(COSTS_7, tenant)

    response = await limited_graphql.post(COSTS_7, tenant)

    assert response.status_code == 429
    assert 1 <= int(response.headers["retry-after"]) <= WINDOW_SECONDS
    assert response.json() == {
        "errors": [
            {
                "message": f"The rate limit is used up: this operation costs 7 and the window has 3 left until {reset_at(first)}.",
                "extensions": {"code": "RATE_LIMITED"},
            }
        ],
        "extensions": cost(7, POINTS - 7, reset_at(first)),
    }


async def test_clients_of_legacy_json_get_the_429_too(limited_graphql, tenant):
    await limited_graphql.query(COSTS_7, tenant)

    response = await limited_graphql.post(COSTS_7, tenant, headers={"Accept": "application/json"})

    assert (response.status_code, response.json()["errors"][0]["extensions"]["code"]) == (429, "RATE_LIMITED")


async def test_a_refused_operation_costs_nothing(limited_graphql, tenant):
    await limited_graphql.query(COSTS_7, tenant)
    refused = await limited_graphql.post(COSTS_7, tenant)

    body = await limited_graphql.query(COSTS_3, tenant)

    assert refused.status_code == 429
    assert body == {"data": NO_FLOWS, "extensions": cost(3, 0, reset_at(body))}


async def test_the_points_come_back_when_the_window_ends(budget_settings, reader, tenant):
    async with client_for(changed(budget_settings, rate_limit_window_seconds=SHORT_WINDOW_SECONDS), reader) as http:
        graphql = GraphQLClient(http, budget_settings)
        await graphql.query(COSTS_7, tenant)
        refused = await graphql.post(COSTS_7, tenant)
        await asyncio.sleep(SHORT_WINDOW_SECONDS)

        body = await graphql.query(COSTS_7, tenant)

    assert refused.status_code == 429
    assert body["extensions"]["cost"]["remaining"] == POINTS - 7


async def test_each_tenant_has_points_of_its_own(limited_graphql, tenant, other_tenant):
    await limited_graphql.query(COSTS_7, tenant)

    body = await limited_graphql.query(COSTS_7, other_tenant)

    assert body["extensions"]["cost"]["remaining"] == POINTS - 7


# Batches


async def test_a_batch_charges_its_operations_in_turn_and_refuses_only_those_the_points_do_not_cover(limited_graphql, tenant):
    response = await limited_graphql.http.post(
        "/graphql", json=[{"query": COSTS_7}, {"query": COSTS_7}, {"query": COSTS_3}], headers=limited_graphql.headers(tenant)
    )

    assert response.status_code == 200
    first, refused, last = response.json()
    resets = reset_at(first)
    assert first == {"data": NO_FLOWS, "extensions": cost(7, 3, resets)}
    assert refused == {
        "errors": [
            {
                "message": f"The rate limit is used up: this operation costs 7 and the window has 3 left until {resets}.",
                "extensions": {"code": "RATE_LIMITED"},
            }
        ],
        "extensions": cost(7, 3, resets),
    }
    assert last == {"data": NO_FLOWS, "extensions": cost(3, 0, resets)}
