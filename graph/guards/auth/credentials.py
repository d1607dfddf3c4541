"""Reading credentials from request headers: the bearer token and the tenant headers."""

from __future__ import annotations

from collections.abc import Mapping
from uuid import UUID

from db.tenancy import Tenant
from graph.errors import Unauthenticated

__all__ = ["TENANT_HEADERS", "bearer_token", "tenant_headers"]

TENANT_HEADERS = ("x-client-account-id", "x-engagement-id")
"""The headers naming the tenant, lower-cased."""


def bearer_token(headers: Mapping[str, str]) -> str | None:
    """The token of `Authorization: Bearer <token>`, None without the header; raises `Unauthenticated` for another scheme."""
    authorization = headers.get("authorization")
    if authorization is None:
        return None
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthenticated("The Authorization header must be 'Bearer <token>'.")
    return token.strip()


def tenant_headers(headers: Mapping[str, str]) -> Tenant | None:
    """The tenant `X-Client-Account-ID` and `X-Engagement-ID` name, None without both; ValueError unless both are UUIDs."""
    client_account, engagement = (headers.get(name) for name in TENANT_HEADERS)
    if client_account is None and engagement is None:
        return None
    try:
        return Tenant(UUID(client_account or ""), UUID(engagement or ""))
    except ValueError:
        raise ValueError("X-Client-Account-ID and X-Engagement-ID must both be present and be UUIDs.") from None
