"""Who may ask (design §5): a verified bearer token, or trusted tenant headers when switched on.

Every refusal is HTTP 401 with `WWW-Authenticate: Bearer` and one
`UNAUTHENTICATED` error whose message says what was wrong.
"""

from __future__ import annotations

import time
from typing import Any

import httpx
import jwt

from db.seed.rows import master_flow_row
from db.settings import changed
from db.tables import master_flows
from db.tenancy import Tenant
from graph.guards.auth import issue_token
from tests.conftest import client_for

FLOW_QUERY = "query ($flowId: UUID!) { masterFlow(flowId: $flowId) { flowId name } }"
ANY_QUERY = {"query": "{ __typename }"}


def claims_of(tenant: Tenant, **overrides: Any) -> dict[str, Any]:
    now = int(time.time())
    return {
        "client_account_id": str(tenant.client_account_id),
        "engagement_id": str(tenant.engagement_id),
        "iat": now,
        "exp": now + 600,
        **overrides,
    }


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def assert_unauthenticated(response: httpx.Response, message: str) -> None:
    assert response.status_code == 401, response.text
    assert response.headers["www-authenticate"] == "Bearer"
    assert response.json() == {"errors": [{"message": message, "extensions": {"code": "UNAUTHENTICATED"}}]}


async def test_a_request_without_authorization_is_refused(http):
    response = await http.post("/graphql", json=ANY_QUERY)

    assert_unauthenticated(response, "Authentication is required: send 'Authorization: Bearer <token>'.")


async def test_a_non_bearer_scheme_is_refused(http, settings, tenant):
    token = issue_token(settings, tenant)

    response = await http.post("/graphql", json=ANY_QUERY, headers={"Authorization": f"Basic {token}"})

    assert_unauthenticated(response, "The Authorization header must be 'Bearer <token>'.")


async def test_an_unsigned_token_with_alg_none_is_refused(http, tenant):
    token = jwt.encode(claims_of(tenant), None, algorithm="none")

    response = await http.post("/graphql", json=ANY_QUERY, headers=bearer(token))

    assert_unauthenticated(response, "The token is not valid.")


async def test_a_token_signed_with_another_secret_is_refused(http, tenant):
    token = jwt.encode(claims_of(tenant), "another-secret-that-is-at-least-32-bytes", algorithm="HS256")

    response = await http.post("/graphql", json=ANY_QUERY, headers=bearer(token))

    assert_unauthenticated(response, "The token is not valid.")


async def test_an_expired_token_is_refused(http, settings, tenant):
    an_hour_ago = int(time.time()) - 3600
    token = jwt.encode(claims_of(tenant, iat=an_hour_ago - 60, exp=an_hour_ago), settings.jwt_secret, algorithm="HS256")

    response = await http.post("/graphql", json=ANY_QUERY, headers=bearer(token))

    assert_unauthenticated(response, "The token has expired.")


async def test_a_token_accepted_before_is_refused_once_it_expires(http, settings, tenant, monkeypatch):
    expiry = int(time.time()) + 600
    token = jwt.encode(claims_of(tenant, exp=expiry), settings.jwt_secret, algorithm="HS256")
    assert (await http.post("/graphql", json=ANY_QUERY, headers=bearer(token))).status_code == 200

    monkeypatch.setattr("graph.guards.auth.claims.time.time", lambda: expiry + 1)  # the verified token is cached; its expiry is not
    response = await http.post("/graphql", json=ANY_QUERY, headers=bearer(token))

    assert_unauthenticated(response, "The token has expired.")


async def test_a_token_whose_exp_is_not_a_number_is_refused(http, settings, tenant):
    token = jwt.encode(claims_of(tenant, exp="tomorrow"), settings.jwt_secret, algorithm="HS256")

    response = await http.post("/graphql", json=ANY_QUERY, headers=bearer(token))

    assert_unauthenticated(response, "The token is not valid.")


async def test_a_token_without_exp_is_refused(http, settings, tenant):
    claims = claims_of(tenant)
    del claims["exp"]
    token = jwt.encode(claims, settings.jwt_secret, algorithm="HS256")

    response = await http.post("/graphql", json=ANY_QUERY, headers=bearer(token))

    assert_unauthenticated(response, "The token is not valid.")


async def test_a_token_whose_client_account_is_not_a_uuid_is_refused(http, settings, tenant):
    token = jwt.encode(claims_of(tenant, client_account_id="acme-corp"), settings.jwt_secret, algorithm="HS256")

    response = await http.post("/graphql", json=ANY_QUERY, headers=bearer(token))

    assert_unauthenticated(response, "The token's 'client_account_id' claim is missing or not a UUID.")


async def test_tenant_headers_are_ignored_by_default(http, db, tenant):
    flow = master_flow_row(tenant)
    await db.insert(master_flows, [flow])
    headers = {"X-Client-Account-ID": str(tenant.client_account_id), "X-Engagement-ID": str(tenant.engagement_id)}

    response = await http.post("/graphql", json={"query": FLOW_QUERY, "variables": {"flowId": str(flow["flow_id"])}}, headers=headers)

    assert_unauthenticated(response, "Authentication is required: send 'Authorization: Bearer <token>'.")


async def test_tenant_headers_authenticate_when_trusted(settings, reader, db, tenant):
    flow = master_flow_row(tenant, flow_name="Behind the proxy")
    await db.insert(master_flows, [flow])
    headers = {"X-Client-Account-ID": str(tenant.client_account_id), "X-Engagement-ID": str(tenant.engagement_id)}

    async with client_for(changed(settings, trusted_tenant_headers=True), reader) as client:
        response = await client.post("/graphql", json={"query": FLOW_QUERY, "variables": {"flowId": str(flow["flow_id"])}}, headers=headers)

    assert response.status_code == 200, response.text
    assert response.json() == {"data": {"masterFlow": {"flowId": str(flow["flow_id"]), "name": "Behind the proxy"}}}


async def test_a_valid_token_sees_its_tenants_flow(graphql, db, tenant):
    flow = master_flow_row(tenant, flow_name="Tenant A's flow")
    await db.insert(master_flows, [flow])

    body = await graphql.query(FLOW_QUERY, tenant, {"flowId": str(flow["flow_id"])})

    assert body == {"data": {"masterFlow": {"flowId": str(flow["flow_id"]), "name": "Tenant A's flow"}}}


async def test_a_configured_client_account_claim_names_the_tenant_in_issued_tokens(settings, tenant):
    custom = changed(settings, jwt_client_account_claim="tenant")

    claims = jwt.decode(issue_token(custom, tenant), custom.jwt_secret, algorithms=["HS256"])

    assert {name: claims[name] for name in claims if name not in ("iat", "exp")} == {
        "tenant": str(tenant.client_account_id),
        "engagement_id": str(tenant.engagement_id),
    }


async def test_a_configured_client_account_claim_is_the_one_read(settings, reader, db, tenant):
    flow = master_flow_row(tenant, flow_name="Custom claim")
    await db.insert(master_flows, [flow])
    claims = claims_of(tenant)
    claims["tenant"] = claims.pop("client_account_id")
    token = jwt.encode(claims, settings.jwt_secret, algorithm="HS256")

    async with client_for(changed(settings, jwt_client_account_claim="tenant"), reader) as client:
        response = await client.post("/graphql", json={"query": FLOW_QUERY, "variables": {"flowId": str(flow["flow_id"])}}, headers=bearer(token))

    assert response.status_code == 200, response.text
    assert response.json() == {"data": {"masterFlow": {"flowId": str(flow["flow_id"]), "name": "Custom claim"}}}


async def test_a_token_with_the_default_claim_is_refused_when_another_is_configured(settings, reader, tenant):
    token = issue_token(settings, tenant)

    async with client_for(changed(settings, jwt_client_account_claim="tenant"), reader) as client:
        response = await client.post("/graphql", json=ANY_QUERY, headers=bearer(token))

    assert_unauthenticated(response, "The token's 'tenant' claim is missing or not a UUID.")
