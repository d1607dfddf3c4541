"""Who is asking: the tenant of a request, from a verified JWT or trusted headers."""

from __future__ import annotations

import time
from collections.abc import Mapping
from functools import lru_cache
from uuid import UUID

import jwt

from db.tenancy import Tenant
from graph.errors import Unauthenticated
from graph.settings import Settings

__all__ = ["authenticate", "expires_at", "issue_token"]

ALGORITHM = "HS256"


def _uuid_claim(claims: Mapping[str, object], name: str) -> UUID:
    try:
        return UUID(str(claims[name]))
    except (KeyError, ValueError):
        raise Unauthenticated(f"The token's {name!r} claim is missing or not a UUID.") from None


@lru_cache(maxsize=4096)
def _verified_token(token: str, secret: str, client_account_claim: str, engagement_claim: str) -> tuple[Tenant, int]:
    """The tenant and expiry (seconds since the epoch) of a token whose signature and claims check out.

    Everything but the expiry is checked here, once per distinct token: the
    cache holds only tokens that passed, keyed by the whole token, signature
    included, so a forged or altered token is never a hit.  The caller checks
    the expiry on every request.  Raises `Unauthenticated`.
    """
    try:
        claims = jwt.decode(token, secret, algorithms=[ALGORITHM], options={"require": ["exp"], "verify_exp": False})
        expiry = int(claims["exp"])  # as PyJWT reads it
    except (jwt.InvalidTokenError, TypeError, ValueError, OverflowError):
        raise Unauthenticated("The token is not valid.") from None
    tenant = Tenant(
        client_account_id=_uuid_claim(claims, client_account_claim),
        engagement_id=_uuid_claim(claims, engagement_claim),
    )
    return tenant, expiry


def _verified(token: str, settings: Settings) -> tuple[Tenant, int]:
    return _verified_token(token, settings.jwt_secret, settings.jwt_client_account_claim, settings.jwt_engagement_claim)


def _tenant_from_token(token: str, settings: Settings) -> Tenant:
    tenant, expiry = _verified(token, settings)
    if expiry <= time.time():  # as PyJWT's own check, without leeway
        raise Unauthenticated("The token has expired.")
    return tenant


def _tenant_from_headers(headers: Mapping[str, str]) -> Tenant | None:
    client_account, engagement = headers.get("x-client-account-id"), headers.get("x-engagement-id")
    if client_account is None and engagement is None:
        return None
    try:
        return Tenant(UUID(client_account or ""), UUID(engagement or ""))
    except ValueError:
        raise Unauthenticated(
            "X-Client-Account-ID and X-Engagement-ID must both be present and be UUIDs."
        ) from None


def authenticate(headers: Mapping[str, str], settings: Settings) -> Tenant:
    """The tenant the request acts for; raises `Unauthenticated` without valid credentials.

    `headers` are lower-cased HTTP headers.  A bearer token always wins; the
    tenant headers count only when `settings.trusted_tenant_headers` is on.
    """
    authorization = headers.get("authorization")
    if authorization is not None:
        scheme, _, token = authorization.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise Unauthenticated("The Authorization header must be 'Bearer <token>'.")
        return _tenant_from_token(token.strip(), settings)
    if settings.trusted_tenant_headers and (tenant := _tenant_from_headers(headers)):
        return tenant
    raise Unauthenticated("Authentication is required: send 'Authorization: Bearer <token>'.")


def expires_at(headers: Mapping[str, str], settings: Settings) -> float | None:
    """When the bearer token of `headers` expires (seconds since the epoch); None without a token.

    For headers `authenticate` has accepted: it reads the claims that check
    verified and cached, without decoding the token again.
    """
    authorization = headers.get("authorization")
    if authorization is None:
        return None
    return float(_verified(authorization.partition(" ")[2].strip(), settings)[1])


def issue_token(settings: Settings, tenant: Tenant, *, ttl_seconds: int = 86_400) -> str:
    """A signed HS256 token for `tenant`, valid for `ttl_seconds`."""
    now = int(time.time())
    claims = {
        settings.jwt_client_account_claim: str(tenant.client_account_id),
        settings.jwt_engagement_claim: str(tenant.engagement_id),
        "iat": now,
        "exp": now + ttl_seconds,
    }
    return jwt.encode(claims, settings.jwt_secret, algorithm=ALGORITHM)
