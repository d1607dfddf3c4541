"""CSRF prevention (graph/csrf.py), Apollo Server's rule: a request a browser could send cross-site
without a CORS preflight (a GET, or a POST with a "simple" Content-Type) must carry a non-empty
preflight header, or it is refused with 400 before anything runs."""

from __future__ import annotations

import pytest

from db.settings import changed
from graph.guards.csrf import CSRF_MESSAGE
from graph.settings import Settings
from tests.conftest import client_for

TYPENAME = {"query": "{ __typename }"}
REFUSED = {"errors": [{"message": CSRF_MESSAGE, "extensions": {"code": "BAD_USER_INPUT"}}]}


async def test_a_get_without_a_preflight_header_is_refused(http, graphql, tenant):
    response = await http.get("/graphql", params=TYPENAME, headers=graphql.headers(tenant))

    assert response.status_code == 400
    assert response.json() == REFUSED


@pytest.mark.parametrize("header", ["X-Apollo-Operation-Name", "Apollo-Require-Preflight", "GraphQL-Require-Preflight", "GraphQL-Preflight"])
async def test_a_get_with_a_preflight_header_runs(http, graphql, tenant, header):
    response = await http.get("/graphql", params=TYPENAME, headers={**graphql.headers(tenant), header: "1"})

    assert response.status_code == 200
    assert response.json() == {"data": {"__typename": "Query"}}


async def test_a_get_with_an_empty_preflight_header_is_refused(http, graphql, tenant):
    response = await http.get("/graphql", params=TYPENAME, headers={**graphql.headers(tenant), "Apollo-Require-Preflight": ""})

    assert response.status_code == 400
    assert response.json() == REFUSED


async def test_a_get_with_a_json_content_type_runs(http, graphql, tenant):
    # Apollo Client Web sends Content-Type: application/json even with GET, which forces a preflight.
    response = await http.get("/graphql", params=TYPENAME, headers={**graphql.headers(tenant), "Content-Type": "application/json"})

    assert response.status_code == 200
    assert response.json() == {"data": {"__typename": "Query"}}


@pytest.mark.parametrize(
    "content_type",
    ["text/plain", "Text/Plain; charset=utf-8", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x"],
)
async def test_a_post_with_a_simple_content_type_is_refused(http, graphql, tenant, content_type):
    response = await http.post("/graphql", content=b'{"query": "{ __typename }"}', headers={**graphql.headers(tenant), "Content-Type": content_type})

    assert response.status_code == 400
    assert response.json() == REFUSED


async def test_a_post_without_a_content_type_is_refused(http, graphql, tenant):
    response = await http.post("/graphql", content=b'{"query": "{ __typename }"}', headers=graphql.headers(tenant))

    assert response.status_code == 400
    assert response.json() == REFUSED


async def test_a_json_post_needs_no_preflight_header(http, graphql, tenant):
    # What GraphiQL sends.
    response = await http.post("/graphql", json=TYPENAME, headers=graphql.headers(tenant))

    assert response.status_code == 200
    assert response.json() == {"data": {"__typename": "Query"}}


async def test_the_graphiql_page_needs_no_preflight_header(http):
    response = await http.get("/graphql", headers={"Accept": "text/html"})

    assert response.status_code == 200
    assert "<title>Flowgate GraphiQL</title>" in response.text


async def test_a_get_without_a_preflight_header_runs_when_csrf_prevention_is_off(settings, reader, graphql, tenant):
    async with client_for(changed(settings, csrf_prevention=False), reader) as client:
        response = await client.get("/graphql", params=TYPENAME, headers=graphql.headers(tenant))

    assert response.status_code == 200
    assert response.json() == {"data": {"__typename": "Query"}}


def test_csrf_prevention_is_on_unless_the_environment_turns_it_off(monkeypatch):
    monkeypatch.delenv("CSRF_PREVENTION", raising=False)
    assert Settings.from_env().csrf_prevention is True

    monkeypatch.setenv("CSRF_PREVENTION", "false")
    assert Settings.from_env().csrf_prevention is False
