"""AUTH_MODE=platform: the platform's own access tokens, the tenant in headers, access from its tables.

The platform's login signs HS256 access tokens naming the user (`sub`), no
tenant; the frontend sends the tenant as `X-Client-Account-ID` and
`X-Engagement-ID`.  A request is served only when `user_account_associations`
links the user to that client and `engagements` puts the engagement under it.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import AsyncIterator
from typing import Any

import httpx
import jwt
import pytest
from sqlalchemy import delete

from db.seed.rows import master_flow_row
from db.settings import changed
from db.tables import engagements, master_flows, user_account_associations
from db.tenancy import Tenant
from graph.guards.auth import issue_token
from tests.conftest import client_for, serving
from tests.graph.transport.test_http import sql_statements_total
from tests.graph.transport.transport_ws import socket
from tests.platform_schema import PLATFORM_USER_ID

FLOW_QUERY = "query ($flowId: UUID!) { masterFlow(flowId: $flowId) { name } }"
ANY_QUERY = {"query": "{ __typename }"}


def platform_token(secret: str, user_id: uuid.UUID = PLATFORM_USER_ID, **overrides: Any) -> str:
    """A token shaped as the platform's login issues it."""
    now = int(time.time())
    claims = {
        "sub": str(user_id),
        "email": "analyst@example.com",
        "role": "analyst",
        "is_admin": False,
        "type": "access",
        "iat": now,
        "exp": now + 600,
        **overrides,
    }
    return jwt.encode({k: v for k, v in claims.items() if v is not None}, secret, algorithm="HS256")


def headers_for(token: str, tenant: Tenant) -> dict[str, str]:
    return {
        "Authorization": f"Bearer {token}",
        "X-Client-Account-ID": str(tenant.client_account_id),
        "X-Engagement-ID": str(tenant.engagement_id),
    }


async def grant(db, tenant: Tenant, user_id: uuid.UUID = PLATFORM_USER_ID) -> None:
    """What the platform stores when `user_id` may act for `tenant`."""
    await db.insert(engagements, [{"id": tenant.engagement_id, "client_account_id": tenant.client_account_id}])
    await db.insert(user_account_associations, [{"id": uuid.uuid4(), "user_id": user_id, "client_account_id": tenant.client_account_id}])


@pytest.fixture
def platform_settings(settings):
    return changed(settings, auth_mode="platform")


@pytest.fixture
async def platform_http(platform_settings, reader) -> AsyncIterator[httpx.AsyncClient]:
    async with client_for(platform_settings, reader) as client:
        yield client


def error_of(response: httpx.Response) -> tuple[int, str, str]:
    [error] = response.json()["errors"]
    return response.status_code, error["extensions"]["code"], error["message"]


async def test_an_access_token_with_the_tenant_in_headers_sees_the_tenants_flow(platform_http, settings, db, tenant):
    await grant(db, tenant)
    flow = master_flow_row(tenant, flow_name="Platform login")
    await db.insert(master_flows, [flow])

    response = await platform_http.post(
        "/graphql",
        json={"query": FLOW_QUERY, "variables": {"flowId": str(flow["flow_id"])}},
        headers=headers_for(platform_token(settings.jwt_secret), tenant),
    )

    assert response.json() == {"data": {"masterFlow": {"name": "Platform login"}}}


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"type": "refresh"}, "The token is not an access token."),
        ({"type": None}, "The token is not an access token."),
        ({"exp": int(time.time()) - 10}, "The token has expired."),
        ({"exp": None}, "The token is not valid."),
        ({"sub": "not-a-uuid"}, "The token is not valid."),
        ({"sub": None}, "The token is not valid."),
    ],
    ids=["refresh", "no-type", "expired", "no-exp", "sub-not-uuid", "no-sub"],
)
async def test_a_token_that_is_not_a_valid_access_token_is_401(platform_http, settings, db, tenant, overrides, message):
    await grant(db, tenant)

    response = await platform_http.post("/graphql", json=ANY_QUERY, headers=headers_for(platform_token(settings.jwt_secret, **overrides), tenant))

    assert error_of(response) == (401, "UNAUTHENTICATED", message)
    assert response.headers["www-authenticate"] == "Bearer"


async def test_a_token_signed_with_another_key_is_401(platform_http, db, tenant):
    await grant(db, tenant)

    response = await platform_http.post(
        "/graphql", json=ANY_QUERY, headers=headers_for(platform_token("another-platform-secret-key-of-32-bytes"), tenant)
    )

    assert error_of(response) == (401, "UNAUTHENTICATED", "The token is not valid.")


async def test_a_token_with_tenant_claims_but_no_headers_is_refused_with_a_clear_400(platform_http, settings, tenant):
    token = platform_token(settings.jwt_secret, client_account_id=str(tenant.client_account_id), engagement_id=str(tenant.engagement_id))

    response = await platform_http.post("/graphql", json=ANY_QUERY, headers={"Authorization": f"Bearer {token}"})

    assert error_of(response) == (400, "BAD_USER_INPUT", "Send the tenant in the X-Client-Account-ID and X-Engagement-ID headers.")


@pytest.mark.parametrize("header", ["X-Client-Account-ID", "X-Engagement-ID"])
async def test_a_malformed_or_missing_tenant_header_is_400(platform_http, settings, tenant, header):
    headers = headers_for(platform_token(settings.jwt_secret), tenant)
    malformed, missing = {**headers, header: "acme"}, {k: v for k, v in headers.items() if k != header}

    responses = [await platform_http.post("/graphql", json=ANY_QUERY, headers=h) for h in (malformed, missing)]

    expected = (400, "BAD_USER_INPUT", "X-Client-Account-ID and X-Engagement-ID must both be present and be UUIDs.")
    assert [error_of(r) for r in responses] == [expected, expected]


async def test_without_access_every_refusal_is_the_same_403_whatever_exists(platform_http, settings, db, tenant, other_tenant):
    # Access to `tenant` only.  Refused alike: a client the user has no link to, an engagement of
    # another client under the user's client, and a client and engagement that exist nowhere.
    await grant(db, tenant)
    await db.insert(engagements, [{"id": other_tenant.engagement_id, "client_account_id": other_tenant.client_account_id}])
    token = platform_token(settings.jwt_secret)
    asked = [
        other_tenant,
        Tenant(tenant.client_account_id, other_tenant.engagement_id),
        Tenant(uuid.uuid4(), uuid.uuid4()),
    ]

    responses = [await platform_http.post("/graphql", json=ANY_QUERY, headers=headers_for(token, t)) for t in asked]

    assert {error_of(r) for r in responses} == {(403, "FORBIDDEN", "This login may not act for that client account and engagement.")}
    assert len({r.content for r in responses}) == 1


async def test_a_user_without_any_association_is_403(platform_http, settings, db, tenant):
    await grant(db, tenant)

    response = await platform_http.post("/graphql", json=ANY_QUERY, headers=headers_for(platform_token(settings.jwt_secret, uuid.uuid4()), tenant))

    assert error_of(response)[:2] == (403, "FORBIDDEN")


async def test_the_access_answer_is_cached_so_the_next_request_costs_no_statement(platform_http, settings, db, tenant):
    await grant(db, tenant)
    headers = headers_for(platform_token(settings.jwt_secret), tenant)

    counts = []
    for _ in range(3):
        before = sql_statements_total((await platform_http.get("/metrics")).text)
        assert (await platform_http.post("/graphql", json=ANY_QUERY, headers=headers)).status_code == 200
        counts.append(sql_statements_total((await platform_http.get("/metrics")).text) - before)

    assert counts == [1, 0, 0]


async def test_revoked_access_is_refused_once_the_cached_answer_expires(platform_settings, reader, settings, db, tenant):
    await grant(db, tenant)
    headers = headers_for(platform_token(settings.jwt_secret), tenant)

    async with client_for(changed(platform_settings, tenant_access_cache_seconds=0), reader) as client:
        allowed = await client.post("/graphql", json=ANY_QUERY, headers=headers)
        async with db.engine.begin() as connection:
            await connection.execute(delete(user_account_associations))
        revoked = await client.post("/graphql", json=ANY_QUERY, headers=headers)

    assert (allowed.status_code, revoked.status_code) == (200, 403)


async def test_a_tenant_claims_token_of_auth_mode_jwt_is_not_a_platform_login(platform_http, settings, db, tenant):
    await grant(db, tenant)

    response = await platform_http.post("/graphql", json=ANY_QUERY, headers=headers_for(issue_token(settings, tenant), tenant))

    assert error_of(response) == (401, "UNAUTHENTICATED", "The token is not valid.")


# WebSocket


async def test_a_websocket_authenticates_from_the_connection_init_payload(settings, db, tenant, tmp_path):
    await grant(db, tenant)

    async with serving(settings, tmp_path, AUTH_MODE="platform") as url, socket(url) as ws:
        await ws.send({"type": "connection_init", "payload": headers_for(platform_token(settings.jwt_secret), tenant)})

        assert await ws.receive() == {"type": "connection_ack"}


async def test_a_websocket_authenticates_from_the_upgrade_headers(settings, db, tenant, tmp_path):
    await grant(db, tenant)

    async with (
        serving(settings, tmp_path, AUTH_MODE="platform") as url,
        socket(url, headers=headers_for(platform_token(settings.jwt_secret), tenant)) as ws,
    ):
        await ws.send({"type": "connection_init"})

        assert await ws.receive() == {"type": "connection_ack"}


async def test_a_websocket_without_access_to_the_tenant_is_closed_with_4403(settings, db, tenant, other_tenant, tmp_path):
    await grant(db, tenant)

    async with serving(settings, tmp_path, AUTH_MODE="platform") as url, socket(url) as ws:
        await ws.send({"type": "connection_init", "payload": headers_for(platform_token(settings.jwt_secret), other_tenant)})

        assert await ws.close_code() == 4403
