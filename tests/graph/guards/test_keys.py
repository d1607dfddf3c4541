"""JWT_PUBLIC_KEY: an identity provider's one public key; each key verifies its own algorithm and no other.

With a public key configured, HS256 tokens are refused, whatever secret signed
them: `JWT_SECRET`, or the public key's PEM (the algorithm confusion attack).
"""

from __future__ import annotations

import jwt
import pytest

from db.seed.rows import master_flow_row
from db.settings import changed
from db.tables import master_flows
from graph.guards.auth import issue_token
from tests.conftest import client_for
from tests.graph.guards.identity_provider import EC_KEY, FORGED_RSA_KEY, RSA_KEY, SigningKey, hmac_token
from tests.graph.guards.test_auth import ANY_QUERY, FLOW_QUERY, assert_unauthenticated, bearer, claims_of


def with_public_key(settings, reader, key: SigningKey):
    """A client of the app verifying tokens with `key`'s public half."""
    return client_for(changed(settings, jwt_public_key=key.public_pem()), reader)


async def response_to(settings, reader, key: SigningKey, token: str):
    """The response of an app verifying with `key` to a request with `token`."""
    async with with_public_key(settings, reader, key) as client:
        return await client.post("/graphql", json=ANY_QUERY, headers=bearer(token))


@pytest.mark.parametrize("key", [RSA_KEY, EC_KEY], ids=["RS256", "ES256"])
async def test_a_token_signed_with_the_configured_key_sees_its_tenants_flow(settings, reader, db, tenant, key):
    flow = master_flow_row(tenant, flow_name="Signed by the provider")
    await db.insert(master_flows, [flow])

    async with with_public_key(settings, reader, key) as client:
        response = await client.post(
            "/graphql", json={"query": FLOW_QUERY, "variables": {"flowId": str(flow["flow_id"])}}, headers=bearer(key.sign(claims_of(tenant)))
        )

    assert response.status_code == 200, response.text
    assert response.json() == {"data": {"masterFlow": {"flowId": str(flow["flow_id"]), "name": "Signed by the provider"}}}


async def test_an_hs256_token_signed_with_the_public_keys_pem_is_refused(settings, reader, tenant):
    token = hmac_token(claims_of(tenant), RSA_KEY.public_pem().encode())

    assert_unauthenticated(await response_to(settings, reader, RSA_KEY, token), "The token is not valid.")


async def test_an_hs256_token_signed_with_jwt_secret_is_refused(settings, reader, tenant):
    assert_unauthenticated(await response_to(settings, reader, RSA_KEY, issue_token(settings, tenant)), "The token is not valid.")


async def test_an_unsigned_token_is_refused(settings, reader, tenant):
    token = jwt.encode(claims_of(tenant), None, algorithm="none")

    assert_unauthenticated(await response_to(settings, reader, RSA_KEY, token), "The token is not valid.")


async def test_a_token_signed_with_another_rsa_key_is_refused(settings, reader, tenant):
    assert_unauthenticated(await response_to(settings, reader, RSA_KEY, FORGED_RSA_KEY.sign(claims_of(tenant))), "The token is not valid.")


async def test_an_es256_token_is_refused_by_an_rsa_key(settings, reader, tenant):
    assert_unauthenticated(await response_to(settings, reader, RSA_KEY, EC_KEY.sign(claims_of(tenant))), "The token is not valid.")
