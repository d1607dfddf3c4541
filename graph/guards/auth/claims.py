"""AUTH_MODE=jwt: the tenant from claims of a verified HS256 token, or from trusted headers when switched on."""

from __future__ import annotations

import time
from collections.abc import Mapping
from functools import lru_cache
from uuid import UUID

import jwt

from db.reader import Reader
from db.tenancy import Tenant
from graph.errors import Unauthenticated
from graph.guards.auth.credentials import bearer_token, tenant_headers
from graph.settings import Settings

__all__ = ["ALGORITHM", "TenantClaims", "issue_token"]

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


def check_expiry(expiry: int) -> None:
    """Raise `Unauthenticated` once `expiry` (seconds since the epoch) has passed, as PyJWT's own check, without leeway."""
    if expiry <= time.time():
        raise Unauthenticated("The token has expired.")


class TenantClaims:
    """AUTH_MODE=jwt: tokens name the tenant in two claims (`JWT_CLIENT_ACCOUNT_CLAIM`, `JWT_ENGAGEMENT_CLAIM`).

    A bearer token always wins; the tenant headers count only when
    `TRUSTED_TENANT_HEADERS` is on (a proxy in front sets them).  Every
    refusal is `Unauthenticated`.
    """

    payload_keys: tuple[str, ...] = ("authorization",)

    def __init__(self, settings: Settings) -> None:
        self._settings = settings

    def _verified(self, token: str) -> tuple[Tenant, int]:
        settings = self._settings
        return _verified_token(token, settings.jwt_secret, settings.jwt_client_account_claim, settings.jwt_engagement_claim)

    async def authenticate(self, headers: Mapping[str, str], reader: Reader) -> Tenant:
        """The tenant the request acts for (`headers` lower-cased); no statement is run."""
        token = bearer_token(headers)
        if token is not None:
            tenant, expiry = self._verified(token)
            check_expiry(expiry)
            return tenant
        if self._settings.trusted_tenant_headers:
            try:
                from_headers = tenant_headers(headers)
            except ValueError as error:
                raise Unauthenticated(str(error)) from None
            if from_headers is not None:
                return from_headers
        raise Unauthenticated("Authentication is required: send 'Authorization: Bearer <token>'.")

    def expires_at(self, headers: Mapping[str, str]) -> float | None:
        """When the bearer token of headers `authenticate` accepted expires; None without a token (no decoding again)."""
        token = bearer_token(headers)
        return None if token is None else float(self._verified(token)[1])


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
