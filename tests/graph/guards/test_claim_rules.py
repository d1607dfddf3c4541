"""JWT_ISSUER, JWT_AUDIENCE and JWT_LEEWAY_SECONDS: what a token's claims must say besides its signature.

Tokens are signed with an identity provider's RSA key (`JWT_PUBLIC_KEY`);
the rules are the same for HS256 tokens.
"""

from __future__ import annotations

import time
from typing import Any

import jwt

from db.settings import changed
from graph.guards.auth import issue_token
from graph.settings import Settings
from tests.conftest import client_for
from tests.graph.guards.identity_provider import RSA_KEY
from tests.graph.guards.test_auth import ANY_QUERY, assert_unauthenticated, bearer, claims_of

ISSUER = "https://login.example.com/"
AUDIENCE = "https://flowgate.example.com"
TYPENAME = {"data": {"__typename": "Query"}}


async def response_to(settings, reader, tenant, claims: dict[str, Any], **rules: Any):
    """The response of an app verifying with RSA_KEY under `rules` to a token of `tenant` with `claims` on top."""
    async with client_for(changed(settings, jwt_public_key=RSA_KEY.public_pem(), **rules), reader) as client:
        return await client.post("/graphql", json=ANY_QUERY, headers=bearer(RSA_KEY.sign(claims_of(tenant, **claims))))


# Issuer


async def test_a_token_from_the_configured_issuer_is_accepted(settings, reader, tenant):
    response = await response_to(settings, reader, tenant, {"iss": ISSUER}, jwt_issuer=ISSUER)

    assert response.json() == TYPENAME


async def test_a_token_from_another_issuer_is_refused(settings, reader, tenant):
    response = await response_to(settings, reader, tenant, {"iss": "https://login.example.org/"}, jwt_issuer=ISSUER)

    assert_unauthenticated(response, "The token's issuer is not the one accepted.")


async def test_a_token_without_an_issuer_is_refused_when_one_is_configured(settings, reader, tenant):
    response = await response_to(settings, reader, tenant, {}, jwt_issuer=ISSUER)

    assert_unauthenticated(response, "The token's issuer is not the one accepted.")


# Audience


async def test_a_token_whose_audiences_include_the_configured_one_is_accepted(settings, reader, tenant):
    response = await response_to(settings, reader, tenant, {"aud": ["https://reports.example.com", AUDIENCE]}, jwt_audience=AUDIENCE)

    assert response.json() == TYPENAME


async def test_a_token_for_another_audience_is_refused(settings, reader, tenant):
    response = await response_to(settings, reader, tenant, {"aud": "https://reports.example.com"}, jwt_audience=AUDIENCE)

    assert_unauthenticated(response, "The token's audience is not the one accepted.")


async def test_a_token_without_an_audience_is_refused_when_one_is_configured(settings, reader, tenant):
    response = await response_to(settings, reader, tenant, {}, jwt_audience=AUDIENCE)

    assert_unauthenticated(response, "The token's audience is not the one accepted.")


async def test_a_token_naming_an_audience_is_refused_when_none_is_configured(settings, reader, tenant):
    response = await response_to(settings, reader, tenant, {"aud": AUDIENCE})

    assert_unauthenticated(response, "The token's audience is not the one accepted.")


# Leeway


async def test_a_token_expired_within_the_leeway_is_accepted(settings, reader, tenant):
    response = await response_to(settings, reader, tenant, {"exp": int(time.time()) - 20}, jwt_leeway_seconds=30)

    assert response.json() == TYPENAME


async def test_a_token_expired_beyond_the_leeway_is_refused(settings, reader, tenant):
    response = await response_to(settings, reader, tenant, {"exp": int(time.time()) - 40}, jwt_leeway_seconds=30)

    assert_unauthenticated(response, "The token has expired.")


async def test_a_token_valid_from_within_the_leeway_is_accepted(settings, reader, tenant):
    response = await response_to(settings, reader, tenant, {"nbf": int(time.time()) + 20}, jwt_leeway_seconds=30)

    assert response.json() == TYPENAME


async def test_a_token_valid_from_beyond_the_leeway_is_refused(settings, reader, tenant):
    response = await response_to(settings, reader, tenant, {"nbf": int(time.time()) + 40}, jwt_leeway_seconds=30)

    assert_unauthenticated(response, "The token is not valid yet.")


# Flowgate's own tokens


def test_issued_tokens_carry_the_configured_issuer_and_audience(tenant):
    settings = Settings(jwt_issuer=ISSUER, jwt_audience=AUDIENCE)

    claims = jwt.decode(issue_token(settings, tenant), settings.jwt_secret, algorithms=["HS256"], audience=AUDIENCE)

    assert (claims["iss"], claims["aud"]) == (ISSUER, AUDIENCE)
