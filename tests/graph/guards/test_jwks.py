"""JWKS_URL: an identity provider's keys, fetched from a real HTTP server, cached, refetched within bounds.

Time as the key cache sees it is a `Clock` the test moves; the waits for a
fetch are real.  `fetches` counts the requests the JWKS server answered.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from db.seed.rows import master_flow_row
from db.settings import changed
from db.tables import master_flows
from tests.conftest import client_for, free_port, serving
from tests.graph.guards.identity_provider import (
    EC_KEY,
    FORGED_RSA_KEY,
    NEXT_RSA_KEY,
    RSA_KEY,
    JwksServer,
    SigningKey,
    hmac_token,
    jwks_server,
    silent_port,
    symmetric_jwk,
)
from tests.graph.guards.test_auth import ANY_QUERY, FLOW_QUERY, assert_unauthenticated, bearer, claims_of
from tests.graph.transport.transport_ws import socket

UNAVAILABLE = {
    "errors": [{"message": "The identity provider's keys cannot be fetched now; try again shortly.", "extensions": {"code": "SERVICE_UNAVAILABLE"}}]
}
TYPENAME = {"data": {"__typename": "Query"}}
TIMEOUT_SECONDS = 0.5


class Clock:
    """`time.monotonic` as `graph.guards.auth.jwks` reads it."""

    def __init__(self) -> None:
        self.now = 1_000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    clock = Clock()
    monkeypatch.setattr("graph.guards.auth.jwks.monotonic", clock)
    return clock


@pytest.fixture
def jwks() -> Iterator[JwksServer]:
    with jwks_server() as server:
        yield server


def gateway(settings, reader, url: str, **changes: Any):
    """A client of the app verifying tokens with the keys at `url` (cache 300 s, refetch 10 s, timeout 0.5 s)."""
    return client_for(changed(settings, jwks_url=url, jwks_timeout_seconds=TIMEOUT_SECONDS, **changes), reader)


async def post(client: httpx.AsyncClient, key: SigningKey, tenant, **claims: Any) -> httpx.Response:
    return await client.post("/graphql", json=ANY_QUERY, headers=bearer(key.sign(claims_of(tenant, **claims))))


def assert_unavailable(response: httpx.Response) -> None:
    assert response.status_code == 503, response.text
    assert response.json() == UNAVAILABLE


# Accepted


@pytest.mark.parametrize("key", [RSA_KEY, EC_KEY], ids=["RS256", "ES256"])
async def test_a_token_signed_with_a_published_key_sees_its_tenants_flow(settings, reader, db, tenant, jwks, key):
    flow = master_flow_row(tenant, flow_name="From the identity provider")
    await db.insert(master_flows, [flow])
    jwks.publish(RSA_KEY, EC_KEY)

    async with gateway(settings, reader, jwks.url) as client:
        response = await client.post(
            "/graphql", json={"query": FLOW_QUERY, "variables": {"flowId": str(flow["flow_id"])}}, headers=bearer(key.sign(claims_of(tenant)))
        )

    assert response.status_code == 200, response.text
    assert response.json() == {"data": {"masterFlow": {"flowId": str(flow["flow_id"]), "name": "From the identity provider"}}}


async def test_a_known_token_is_served_without_another_fetch(settings, reader, tenant, jwks, clock):
    jwks.publish(RSA_KEY)
    token = RSA_KEY.sign(claims_of(tenant))

    async with gateway(settings, reader, jwks.url) as client:
        responses = [await client.post("/graphql", json=ANY_QUERY, headers=bearer(token)) for _ in range(5)]

    assert [response.json() for response in responses] == [TYPENAME] * 5
    assert jwks.fetches == 1


# Refused


async def test_a_token_with_an_unknown_kid_is_refused(settings, reader, tenant, jwks):
    jwks.publish(RSA_KEY)

    async with gateway(settings, reader, jwks.url) as client:
        response = await post(client, NEXT_RSA_KEY, tenant)

    assert_unauthenticated(response, "The token's signing key is not known.")


async def test_a_token_signed_by_another_key_under_a_published_kid_is_refused(settings, reader, tenant, jwks):
    jwks.publish(RSA_KEY)

    async with gateway(settings, reader, jwks.url) as client:
        response = await post(client, FORGED_RSA_KEY, tenant)

    assert_unauthenticated(response, "The token is not valid.")


async def test_an_hs256_token_signed_with_a_published_keys_pem_is_refused_without_a_fetch(settings, reader, tenant, jwks):
    jwks.publish(RSA_KEY)
    token = hmac_token(claims_of(tenant), RSA_KEY.public_pem().encode(), kid=RSA_KEY.kid)

    async with gateway(settings, reader, jwks.url) as client:
        response = await client.post("/graphql", json=ANY_QUERY, headers=bearer(token))

    assert_unauthenticated(response, "The token is not valid.")
    assert jwks.fetches == 0


async def test_a_symmetric_key_in_the_jwks_verifies_no_token(settings, reader, tenant, jwks):
    secret = b"a-symmetric-key-of-at-least-32-bytes!"
    jwks.published = [RSA_KEY.jwk(), symmetric_jwk("shared", secret)]
    token = hmac_token(claims_of(tenant), secret, alg="RS256", kid="shared")

    async with gateway(settings, reader, jwks.url) as client:
        response = await client.post("/graphql", json=ANY_QUERY, headers=bearer(token))

    assert_unauthenticated(response, "The token's signing key is not known.")


# Rotation


async def test_a_key_published_after_the_first_fetch_is_found_with_one_more_fetch(settings, reader, tenant, jwks, clock):
    jwks.publish(RSA_KEY)
    async with gateway(settings, reader, jwks.url) as client:
        assert (await post(client, RSA_KEY, tenant)).json() == TYPENAME
        jwks.publish(RSA_KEY, NEXT_RSA_KEY)
        clock.advance(10)  # JWKS_REFETCH_SECONDS

        response = await post(client, NEXT_RSA_KEY, tenant)

    assert response.json() == TYPENAME
    assert jwks.fetches == 2


async def test_a_removed_key_is_refused_once_the_cache_lifespan_passes(settings, reader, tenant, jwks, clock):
    jwks.publish(RSA_KEY, NEXT_RSA_KEY)
    token = RSA_KEY.sign(claims_of(tenant))
    async with gateway(settings, reader, jwks.url) as client:
        assert (await client.post("/graphql", json=ANY_QUERY, headers=bearer(token))).json() == TYPENAME
        jwks.publish(NEXT_RSA_KEY)
        clock.advance(299)
        assert (await client.post("/graphql", json=ANY_QUERY, headers=bearer(token))).json() == TYPENAME
        clock.advance(1)  # JWKS_CACHE_SECONDS since the fetch

        response = await client.post("/graphql", json=ANY_QUERY, headers=bearer(token))

    assert_unauthenticated(response, "The token's signing key is not known.")
    assert jwks.fetches == 2


# The refetch bound


async def test_random_kids_cause_one_fetch_per_refetch_interval(settings, reader, tenant, jwks, clock):
    jwks.publish(RSA_KEY)
    forgeries = [SigningKey(f"random-{n}", "RS256", FORGED_RSA_KEY.private) for n in range(20)]

    async with gateway(settings, reader, jwks.url) as client:
        within_interval = [await post(client, key, tenant) for key in forgeries[:10]]
        clock.advance(10)
        after_interval = [await post(client, key, tenant) for key in forgeries[10:]]

    assert {response.status_code for response in within_interval + after_interval} == {401}
    assert jwks.fetches == 2


async def test_concurrent_requests_needing_a_fetch_share_one(settings, reader, tenant, jwks):
    jwks.publish(RSA_KEY)

    async with gateway(settings, reader, jwks.url) as client:
        responses = await asyncio.gather(*(post(client, RSA_KEY, tenant, jti=str(n)) for n in range(10)))

    assert [response.json() for response in responses] == [TYPENAME] * 10
    assert jwks.fetches == 1


# An identity provider out of reach


async def test_a_closed_jwks_port_is_answered_with_503(settings, reader, tenant):
    async with gateway(settings, reader, f"http://127.0.0.1:{free_port()}/jwks.json") as client:
        response = await post(client, RSA_KEY, tenant)

    assert_unavailable(response)


async def test_a_jwks_server_that_never_answers_is_answered_with_503_within_the_timeout(settings, reader, tenant):
    with silent_port() as port:
        async with gateway(settings, reader, f"http://127.0.0.1:{port}/jwks.json") as client:
            started = time.perf_counter()
            async with asyncio.timeout(5):
                response = await post(client, RSA_KEY, tenant)
            elapsed = time.perf_counter() - started

    assert_unavailable(response)
    assert TIMEOUT_SECONDS <= elapsed < TIMEOUT_SECONDS + 1


@pytest.mark.parametrize(
    "answer",
    [(200, b"<html>maintenance</html>"), (200, b"[]"), (200, b'{"keys": []}'), (500, b'{"error": "internal"}')],
    ids=["not-json", "not-an-object", "no-keys", "http-500"],
)
async def test_a_jwks_server_answering_garbage_is_answered_with_503(settings, reader, tenant, jwks, answer):
    jwks.answer = answer

    async with gateway(settings, reader, jwks.url) as client:
        response = await post(client, RSA_KEY, tenant)

    assert_unavailable(response)


async def test_known_keys_keep_verifying_while_the_jwks_server_is_down(settings, reader, tenant, jwks, clock):
    jwks.publish(RSA_KEY)
    async with gateway(settings, reader, jwks.url) as client:
        assert (await post(client, RSA_KEY, tenant)).json() == TYPENAME
        jwks.answer = (503, b"down for maintenance")
        clock.advance(300)  # the key set is due for a fetch, which fails

        response = await post(client, RSA_KEY, tenant, jti="a token not seen before")

    assert response.json() == TYPENAME
    assert jwks.fetches == 2


# WebSocket


async def test_a_websocket_authenticates_with_an_rs256_token_from_the_jwks(settings, tenant, jwks, tmp_path):
    jwks.publish(RSA_KEY)

    async with serving(settings, tmp_path, JWKS_URL=jwks.url) as url, socket(url) as ws:
        await ws.send({"type": "connection_init", "payload": {"Authorization": f"Bearer {RSA_KEY.sign(claims_of(tenant))}"}})

        assert await ws.receive() == {"type": "connection_ack"}
