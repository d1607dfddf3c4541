"""Prometheus metrics (graph/metrics.py), scraped from `/metrics` after requests."""

from __future__ import annotations

import asyncio
import uuid
from collections import Counter

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from db.seed.rows import master_flow_row
from db.settings import changed
from db.tables import master_flows
from graph.observability import metrics
from graph.observability.metrics import operation_label
from tests.conftest import client_for
from tests.graph.guards.rate_limit.budget import COSTS_7, limited
from tests.graph.guards.test_platform_login import headers_for, platform_token
from tests.graph.transport.transport_ws import connected, warm_up

SCRAPE_SECONDS = 5.0
JSON = "application/json"


def sample(text: str, name: str, **labels: str) -> float:
    """The value of sample `name` with exactly `labels` in a scrape; 0 when absent (a counter not yet incremented)."""
    for family in text_string_to_metric_families(text):
        for found in family.samples:
            if found.name == name and found.labels == labels:
                return found.value
    return 0.0


async def scrape(http: httpx.AsyncClient) -> str:
    response = await http.get("/metrics")
    assert response.status_code == 200
    return response.text


def refusals(text: str) -> Counter[tuple[str, str]]:
    """`gateway_graphql_refusals_total` in a scrape, by (status, reason)."""
    return Counter(
        {
            (found.labels["status"], found.labels["reason"]): found.value
            for family in text_string_to_metric_families(text)
            for found in family.samples
            if found.name == "gateway_graphql_refusals_total"
        }
    )


async def post(http: httpx.AsyncClient, headers: dict[str, str], query: str, operation_name: str | None = None) -> httpx.Response:
    return await http.post("/graphql", json={"query": query, "operationName": operation_name}, headers=headers)


async def test_requests_are_counted_and_timed_by_operation_name(http, graphql, tenant):
    headers = graphql.headers(tenant)
    before = await scrape(http)

    await post(http, headers, "query FlowCountProbe { __typename }", "FlowCountProbe")
    await post(http, headers, "query FlowCountProbe { __typename }", "FlowCountProbe")
    await post(http, headers, "{ __typename }")

    after = await scrape(http)
    count = "gateway_graphql_request_seconds_count"
    assert sample(after, count, operation="FlowCountProbe") - sample(before, count, operation="FlowCountProbe") == 2
    assert sample(after, count, operation="anonymous") - sample(before, count, operation="anonymous") == 1
    assert sample(after, "gateway_graphql_request_seconds_sum", operation="FlowCountProbe") > 0


async def test_names_that_are_too_long_or_not_graphql_names_are_counted_as_other(http, graphql, tenant):
    headers = graphql.headers(tenant)
    long_name = "L" * 65
    before = await scrape(http)

    await post(http, headers, f"query {long_name} {{ __typename }}", long_name)
    await post(http, headers, "{ __typename }", "not-a-name")

    after = await scrape(http)
    count = "gateway_graphql_request_seconds_count"
    assert sample(after, count, operation="other") - sample(before, count, operation="other") == 2
    assert long_name not in after and "not-a-name" not in after


async def test_a_batch_is_one_request_labelled_batch(http, graphql, tenant):
    before = await scrape(http)

    response = await http.post(
        "/graphql", json=[{"query": "query A { __typename }"}, {"query": "query B { __typename }"}], headers=graphql.headers(tenant)
    )

    after = await scrape(http)
    assert response.status_code == 200
    count = "gateway_graphql_request_seconds_count"
    assert sample(after, count, operation="batch") - sample(before, count, operation="batch") == 1


def test_new_names_past_the_cap_are_labelled_other(monkeypatch):
    monkeypatch.setattr(metrics, "_operation_labels", set())
    monkeypatch.setattr(metrics, "MAX_OPERATION_LABELS", 2)

    labels = [operation_label(name) for name in ("First", "Second", "Third", "First", None)]

    assert labels == ["First", "Second", "other", "First", "anonymous"]


async def test_errors_are_counted_by_code(http, graphql, tenant):
    headers = graphql.headers(tenant)
    before = await scrape(http)

    await post(http, headers, "{ masterFlow(")
    await post(http, headers, "{ noSuchField }")
    await post(http, headers, "{ noSuchField }")

    after = await scrape(http)
    errors = "gateway_graphql_errors_total"
    assert sample(after, errors, code="GRAPHQL_PARSE_FAILED") - sample(before, errors, code="GRAPHQL_PARSE_FAILED") == 1
    assert sample(after, errors, code="GRAPHQL_VALIDATION_FAILED") - sample(before, errors, code="GRAPHQL_VALIDATION_FAILED") == 2


async def test_every_refused_request_is_counted_once_by_status_and_reason(http, graphql, settings, reader, tenant):
    headers, query = graphql.headers(tenant), {"query": "{ __typename }"}
    async with (
        client_for(changed(settings, auth_mode="platform"), reader) as platform,
        client_for(limited(settings), reader) as rate_limited,
    ):
        assert (await rate_limited.post("/graphql", json={"query": COSTS_7}, headers=headers)).status_code == 200  # 3 of 10 points left
        before = refusals(await scrape(http))

        no_login = await http.post("/graphql", json=query)
        no_access = await platform.post("/graphql", json=query, headers=headers_for(platform_token(settings.jwt_secret, uuid.uuid4()), tenant))
        cross_site = await http.get("/graphql", params=query, headers=headers)
        put = await http.put("/graphql", json=query, headers=headers)
        as_csv = await http.post("/graphql", json=query, headers={**headers, "Accept": "text/csv"})
        too_large = await http.post("/graphql", content=b" " * (settings.max_body_bytes + 1), headers={**headers, "Content-Type": JSON})
        as_text = await http.post("/graphql", content=b"{}", headers={**headers, "Content-Type": "text/plain", "GraphQL-Require-Preflight": "1"})
        over_limit = await rate_limited.post("/graphql", json={"query": COSTS_7}, headers=headers)

        after = refusals(await scrape(http))

    responses = [no_login, no_access, cross_site, put, as_csv, too_large, as_text, over_limit]
    assert [response.status_code for response in responses] == [401, 403, 400, 405, 406, 413, 415, 429]
    assert after - before == {
        ("401", "credentials"): 1,
        ("403", "credentials"): 1,
        ("400", "csrf"): 1,
        ("405", "method"): 1,
        ("406", "accept"): 1,
        ("413", "body_size"): 1,
        ("415", "content_type"): 1,
        ("429", "rate_limit"): 1,
    }


async def test_the_pool_gauges_describe_the_readers_pool(http, graphql, tenant, settings):
    await graphql.data('{ masterFlow(flowId: "00000000-0000-0000-0000-000000000000") { name } }', tenant)

    scraped = await scrape(http)

    size = sample(scraped, "gateway_db_pool_connections")
    in_use = sample(scraped, "gateway_db_pool_connections_in_use")
    idle = sample(scraped, "gateway_db_pool_connections_idle")
    assert sample(scraped, "gateway_db_pool_max_connections") == settings.database.pool_size
    assert 1 <= size <= settings.database.pool_size
    assert in_use == 0  # nothing runs while /metrics answers
    assert idle == size


async def test_a_statement_in_flight_counts_as_a_connection_in_use(http, reader):
    async with reader.pool.acquire():
        scraped = await scrape(http)

    assert sample(scraped, "gateway_db_pool_connections_in_use") == 1


@pytest.fixture
async def flow(db, tenant):
    row = master_flow_row(tenant, flow_name="Metrics")
    await db.insert(master_flows, [row])
    return row


async def test_open_subscriptions_are_gauged_while_they_run(live_server, settings, db, tenant, flow):
    async with httpx.AsyncClient(base_url=live_server, timeout=SCRAPE_SECONDS) as http, connected(live_server, settings, tenant) as ws:
        before = sample(await scrape(http), "gateway_open_subscriptions")
        await ws.subscribe("1", flow["flow_id"])
        await warm_up(ws, db, flow, "1")
        running = sample(await scrape(http), "gateway_open_subscriptions")
        await ws.send({"id": "1", "type": "complete"})
        async with asyncio.timeout(SCRAPE_SECONDS):
            while (after := sample(await scrape(http), "gateway_open_subscriptions")) != before:
                await asyncio.sleep(0.05)

    assert (before, running, after) == (0, 1, 0)
