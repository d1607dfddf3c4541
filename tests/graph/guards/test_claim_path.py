"""Claim names as paths into nested claims, as Hasura's namespaced claims have them."""

from __future__ import annotations

import pytest

from db.seed.rows import master_flow_row
from db.settings import changed
from db.tables import master_flows
from graph.guards.auth.claim_path import claim_at
from tests.conftest import client_for
from tests.graph.guards.identity_provider import RSA_KEY
from tests.graph.guards.test_auth import FLOW_QUERY, assert_unauthenticated, bearer, claims_of

HASURA = "https://hasura.io/jwt/claims"


def test_a_flat_name_is_a_top_level_claim():
    assert claim_at({"client_account_id": "a"}, "client_account_id") == "a"


def test_a_dotted_name_reads_a_nested_claim():
    assert claim_at({"tenant": {"client_account_id": "a"}}, "tenant.client_account_id") == "a"


def test_a_namespace_with_dots_is_one_key():
    assert claim_at({HASURA: {"x-client-account-id": "a"}}, f"{HASURA}.x-client-account-id") == "a"


def test_a_flat_claim_whose_name_has_dots_wins_over_a_nested_one():
    assert claim_at({"tenant.id": "flat", "tenant": {"id": "nested"}}, "tenant.id") == "flat"


def test_the_longest_key_wins_at_each_level():
    assert claim_at({"a": {"b.c": "short"}, "a.b": {"c": "long"}}, "a.b.c") == "long"


@pytest.mark.parametrize(
    ("claims", "path"),
    [
        ({}, "tenant.id"),
        ({"tenant": "not an object"}, "tenant.id"),
        ({"tenant": {"other": "a"}}, "tenant.id"),
        ({"a": {"b.c": "short"}, "a.b": {"d": "long"}}, "a.b.c"),
    ],
    ids=["absent", "through-a-string", "absent-inside", "no-backtracking"],
)
def test_a_path_that_names_nothing_is_a_key_error(claims, path):
    with pytest.raises(KeyError):
        claim_at(claims, path)


async def test_namespaced_tenant_claims_name_the_tenant(settings, reader, db, tenant):
    flow = master_flow_row(tenant, flow_name="Hasura-style claims")
    await db.insert(master_flows, [flow])
    claims = claims_of(tenant)
    claims[HASURA] = {"x-client-account-id": claims.pop("client_account_id"), "x-engagement-id": claims.pop("engagement_id")}
    custom = changed(
        settings,
        jwt_public_key=RSA_KEY.public_pem(),
        jwt_client_account_claim=f"{HASURA}.x-client-account-id",
        jwt_engagement_claim=f"{HASURA}.x-engagement-id",
    )

    async with client_for(custom, reader) as client:
        response = await client.post(
            "/graphql", json={"query": FLOW_QUERY, "variables": {"flowId": str(flow["flow_id"])}}, headers=bearer(RSA_KEY.sign(claims))
        )

    assert response.status_code == 200, response.text
    assert response.json() == {"data": {"masterFlow": {"flowId": str(flow["flow_id"]), "name": "Hasura-style claims"}}}


async def test_a_missing_nested_claim_is_refused_by_its_path(settings, reader, tenant):
    claims = {**claims_of(tenant), "scope": {"client": str(tenant.client_account_id)}}
    custom = changed(settings, jwt_public_key=RSA_KEY.public_pem(), jwt_engagement_claim="scope.engagement_id")

    async with client_for(custom, reader) as client:
        response = await client.post("/graphql", json={"query": "{ __typename }"}, headers=bearer(RSA_KEY.sign(claims)))

    assert_unauthenticated(response, "The token's 'scope.engagement_id' claim is missing or not a UUID.")
