"""Persisted queries (graph/persisted.py) over HTTP: Apollo's automatic persisted queries, and trusted documents.

Apollo's protocol: `extensions.persistedQuery = {"version": 1, "sha256Hash": ...}`.  Apollo Server
answers an unknown hash with HTTP 200 and `Cache-Control: private, no-cache, must-revalidate`
whatever the Accept header (`PersistedQueryNotFoundError` in @apollo/server), so clients see the
body and retry with the query; a hash that is not the query's SHA-256 is a 400.  Each test
builds its own app, so each starts with an empty store.
"""

from __future__ import annotations

import hashlib
import subprocess
import sys
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import orjson
import pytest

from db.seed.rows import data_import_row, discovery_flow_row, master_flow_row, raw_record_row
from db.settings import changed
from db.tables import data_imports, discovery_flows, master_flows, raw_import_records
from graph.transport.app import create_app
from tests.conftest import ROOT, client_for, command_env, serving
from tests.graph.transport.transport_ws import connected

GRAPHQL_RESPONSE = "application/graphql-response+json"
JSON = "application/json"
DO_NOT_CACHE = "private, no-cache, must-revalidate"
QUERY = "{ masterFlows { totalCount } }"
OPERATIONS = ROOT / "tests" / "operations"
COMMAND_TIMEOUT_SECONDS = 30

NOT_FOUND = {"errors": [{"message": "PersistedQueryNotFound", "extensions": {"code": "PERSISTED_QUERY_NOT_FOUND"}}]}
NOT_IN_LIST = {
    "errors": [
        {
            "message": "Only trusted documents are served, and this document is not in their list.",
            "extensions": {"code": "PERSISTED_QUERY_NOT_IN_LIST"},
        }
    ]
}


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def persisted(query: str) -> dict:
    return {"persistedQuery": {"version": 1, "sha256Hash": sha256(query)}}


@pytest.fixture
async def client(settings, reader) -> AsyncIterator[httpx.AsyncClient]:
    """A client on a new app, with an empty store of automatic persisted queries."""
    async with client_for(settings, reader) as client:
        yield client


@pytest.fixture
def headers(graphql, tenant) -> dict[str, str]:
    # GraphQL-Require-Preflight passes CSRF prevention on GETs (test_csrf.py).
    return {**graphql.headers(tenant), "GraphQL-Require-Preflight": "1"}


def get(client: httpx.AsyncClient, headers: dict[str, str], **params: object):
    arguments = {name: value if isinstance(value, str) else orjson.dumps(value).decode() for name, value in params.items()}
    return client.get("/graphql", params=arguments, headers=headers)


# Automatic persisted queries


async def test_a_hash_alone_is_not_found_with_200_and_no_caching(client, headers):
    response = await client.post("/graphql", json={"extensions": persisted(QUERY)}, headers={**headers, "Accept": GRAPHQL_RESPONSE})

    assert response.status_code == 200
    assert response.headers["content-type"] == "application/graphql-response+json; charset=utf-8"
    assert response.headers["cache-control"] == DO_NOT_CACHE
    assert response.json() == NOT_FOUND


async def test_a_hash_alone_over_get_is_not_found(client, headers):
    response = await get(client, headers, extensions=persisted(QUERY))

    assert response.status_code == 200
    assert response.headers["cache-control"] == DO_NOT_CACHE
    assert response.json() == NOT_FOUND


async def test_a_hash_sent_with_its_query_is_registered_and_then_runs_alone(client, headers):
    registered = await client.post("/graphql", json={"query": QUERY, "extensions": persisted(QUERY)}, headers=headers)

    by_hash = await client.post("/graphql", json={"extensions": persisted(QUERY)}, headers=headers)

    assert registered.status_code == by_hash.status_code == 200
    assert registered.json() == by_hash.json() == {"data": {"masterFlows": {"totalCount": 0}}}


async def test_a_hash_registered_over_get_runs_alone_over_get(client, headers):
    registered = await get(client, headers, query=QUERY, extensions=persisted(QUERY))

    by_hash = await get(client, headers, extensions=persisted(QUERY))

    assert registered.status_code == by_hash.status_code == 200
    assert registered.json() == by_hash.json() == {"data": {"masterFlows": {"totalCount": 0}}}


async def test_a_persisted_query_runs_with_the_variables_sent_with_the_hash(client, headers, db, tenant):
    flow = master_flow_row(tenant, flow_name="By hash")
    await db.insert(master_flows, [flow])
    query = "query ($flowId: UUID!) { masterFlow(flowId: $flowId) { name } }"
    await client.post("/graphql", json={"query": query, "extensions": persisted(query)}, headers=headers)

    response = await client.post("/graphql", json={"extensions": persisted(query), "variables": {"flowId": str(flow["flow_id"])}}, headers=headers)

    assert response.status_code == 200
    assert response.json() == {"data": {"masterFlow": {"name": "By hash"}}}


async def test_a_hash_that_is_not_the_querys_sha256_is_a_bad_request(client, headers):
    response = await client.post("/graphql", json={"query": QUERY, "extensions": persisted("{ __typename }")}, headers=headers)

    assert response.status_code == 400
    assert response.json() == {"errors": [{"message": "provided sha does not match query", "extensions": {"code": "BAD_USER_INPUT"}}]}


async def test_a_hash_sent_with_another_query_is_not_registered(client, headers):
    # Otherwise any client could make a known hash run a document of its choosing.
    await client.post("/graphql", json={"query": "{ __typename }", "extensions": persisted(QUERY)}, headers=headers)

    response = await client.post("/graphql", json={"extensions": persisted(QUERY)}, headers=headers)

    assert response.json() == NOT_FOUND


async def test_a_document_that_fails_validation_is_not_registered(client, headers):
    invalid = "{ dataImports { id } }"
    first = await client.post("/graphql", json={"query": invalid, "extensions": persisted(invalid)}, headers=headers)

    response = await client.post("/graphql", json={"extensions": persisted(invalid)}, headers=headers)

    assert first.json()["errors"][0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"
    assert response.json() == NOT_FOUND


@pytest.mark.parametrize(
    ("persisted_query", "message"),
    [
        ({"version": 2, "sha256Hash": sha256(QUERY)}, "Only version 1 of the persisted query protocol is supported."),
        (
            {"version": 1, "sha256Hash": sha256(QUERY).upper()},
            'extensions.persistedQuery must be {"version": 1, "sha256Hash": "<lower-case SHA-256 hex digest>"}.',
        ),
        (
            {"version": 1},
            'extensions.persistedQuery must be {"version": 1, "sha256Hash": "<lower-case SHA-256 hex digest>"}.',
        ),
        (
            "persisted",
            'extensions.persistedQuery must be {"version": 1, "sha256Hash": "<lower-case SHA-256 hex digest>"}.',
        ),
    ],
    ids=["version 2", "upper-case hash", "no hash", "not an object"],
)
async def test_a_malformed_persisted_query_is_a_bad_request(client, headers, persisted_query, message):
    response = await client.post("/graphql", json={"extensions": {"persistedQuery": persisted_query}}, headers=headers)

    assert response.status_code == 400
    assert response.json() == {"errors": [{"message": message, "extensions": {"code": "BAD_USER_INPUT"}}]}


async def test_the_store_forgets_the_least_recently_used_query_beyond_its_size(settings, reader, headers):
    a, b, c = "{ a: __typename }", "{ b: __typename }", "{ c: __typename }"
    async with client_for(changed(settings, apq_cache_size=2), reader) as client:
        for query in (a, b):
            await client.post("/graphql", json={"query": query, "extensions": persisted(query)}, headers=headers)
        await client.post("/graphql", json={"extensions": persisted(a)}, headers=headers)
        await client.post("/graphql", json={"query": c, "extensions": persisted(c)}, headers=headers)

        responses = [await client.post("/graphql", json={"extensions": persisted(q)}, headers=headers) for q in (a, b, c)]

    assert [response.json() for response in responses] == [{"data": {"a": "Query"}}, NOT_FOUND, {"data": {"c": "Query"}}]


async def test_each_operation_of_a_batch_resolves_its_own_persisted_query(client, headers):
    response = await client.post(
        "/graphql",
        json=[{"extensions": persisted(QUERY)}, {"query": "{ __typename }", "extensions": persisted("{ __typename }")}],
        headers=headers,
    )

    assert response.status_code == 200
    assert response.json() == [NOT_FOUND, {"data": {"__typename": "Query"}}]


# Trusted documents


@pytest.fixture(scope="module")
def manifest(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """`persisted-documents.json` as `python -m graph manifest tests/operations` writes it."""
    result = subprocess.run(
        [sys.executable, "-m", "graph", "manifest", str(OPERATIONS)],
        cwd=ROOT,
        env=command_env(),
        capture_output=True,
        timeout=COMMAND_TIMEOUT_SECONDS,
        check=False,
    )
    assert result.returncode == 0, result.stderr.decode()
    path = tmp_path_factory.mktemp("trusted") / "persisted-documents.json"
    path.write_bytes(result.stdout)
    return path


@pytest.fixture
async def trusted(settings, reader, manifest) -> AsyncIterator[httpx.AsyncClient]:
    """A client on an app that serves only the documents of `manifest`."""
    async with client_for(changed(settings, trusted_documents=manifest), reader) as client:
        yield client


def test_the_manifest_holds_each_operation_file_under_its_sha256(manifest):
    documents = [path.read_text() for path in sorted(OPERATIONS.glob("*.graphql"))]

    assert orjson.loads(manifest.read_bytes()) == {sha256(document): document for document in documents}
    assert len(documents) == 4


async def test_a_trusted_document_runs_by_hash_alone(trusted, headers, db, tenant):
    flow, imported = master_flow_row(tenant, flow_name="Trusted"), data_import_row(tenant, import_name="CMDB")
    await db.insert(master_flows, [flow])
    await db.insert(data_imports, [imported])
    await db.insert(discovery_flows, [discovery_flow_row(tenant, master_flow_id=flow["flow_id"], data_import_id=imported["id"])])
    await db.insert(raw_import_records, [raw_record_row(tenant, data_import_id=imported["id"], row_number=1, raw_data={"host": "a"})])
    record_page = (OPERATIONS / "record_page.graphql").read_text()

    response = await trusted.post(
        "/graphql",
        json={"extensions": persisted(record_page), "variables": {"flowId": str(flow["flow_id"]), "first": 1}},
        headers=headers,
    )

    assert response.status_code == 200, response.text
    [edge] = response.json()["data"]["masterFlow"]["discovery"]["dataImport"]["rawRecords"]["edges"]
    assert response.json() == {
        "data": {
            "masterFlow": {
                "flowId": str(flow["flow_id"]),
                "discovery": {
                    "dataImport": {
                        "rawRecords": {
                            "edges": [
                                {
                                    "cursor": edge["cursor"],
                                    "node": {
                                        "rowNumber": 1,
                                        "rawData": {"host": "a"},
                                        "isValid": True,
                                        "isProcessed": False,
                                        "validationErrors": None,
                                        "processingNotes": None,
                                    },
                                }
                            ],
                            "pageInfo": {"hasNextPage": False, "endCursor": edge["cursor"]},
                        }
                    }
                },
            }
        }
    }


async def test_a_trusted_document_runs_when_sent_in_full(trusted, headers):
    flow_list = (OPERATIONS / "flow_list.graphql").read_text()

    response = await trusted.post("/graphql", json={"query": flow_list}, headers=headers)

    assert response.status_code == 200
    assert response.json() == {"data": {"masterFlows": {"totalCount": 0, "nodes": [], "pageInfo": {"hasNextPage": False, "endCursor": None}}}}


@pytest.mark.parametrize(("accept", "status"), [(GRAPHQL_RESPONSE, 400), (JSON, 200)])
async def test_a_hash_outside_the_manifest_is_refused(trusted, headers, accept, status):
    response = await trusted.post("/graphql", json={"extensions": persisted(QUERY)}, headers={**headers, "Accept": accept})

    assert response.status_code == status
    assert response.headers["cache-control"] == DO_NOT_CACHE
    assert response.json() == NOT_IN_LIST


async def test_a_query_outside_the_manifest_is_refused(trusted, headers):
    response = await trusted.post("/graphql", json={"query": QUERY}, headers={**headers, "Accept": GRAPHQL_RESPONSE})

    assert response.status_code == 400
    assert response.json() == NOT_IN_LIST


async def test_a_query_sent_with_its_hash_is_not_registered_in_trusted_mode(trusted, headers):
    registering = await trusted.post("/graphql", json={"query": QUERY, "extensions": persisted(QUERY)}, headers=headers)

    by_hash = await trusted.post("/graphql", json={"extensions": persisted(QUERY)}, headers=headers)

    assert registering.json() == by_hash.json() == NOT_IN_LIST


def test_a_manifest_whose_key_is_not_its_documents_sha256_is_refused_at_start_up(settings, reader, tmp_path):
    path = tmp_path / "persisted-documents.json"
    path.write_bytes(orjson.dumps({sha256(QUERY): "{ __typename }"}))

    with pytest.raises(ValueError, match="is not the SHA-256 of its document"):
        create_app(changed(settings, trusted_documents=path), reader=reader)


async def test_a_subscription_outside_the_manifest_is_refused_over_websocket(settings, manifest, tenant, tmp_path_factory):
    async with (
        serving(settings, tmp_path_factory.mktemp("trusted_ws"), TRUSTED_DOCUMENTS=str(manifest)) as url,
        connected(url, settings, tenant) as ws,
    ):
        await ws.subscribe("1", uuid.uuid4())

        assert await ws.receive() == {
            "id": "1",
            "type": "error",
            "payload": [
                {
                    "message": "Only trusted documents are served, and this document is not in their list.",
                    "extensions": {"code": "PERSISTED_QUERY_NOT_IN_LIST"},
                }
            ],
        }
