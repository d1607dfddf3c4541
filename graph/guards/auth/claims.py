"""AUTH_MODE=jwt: the tenant from claims of a verified token, or from trusted headers when switched on.

Tokens are HS256 with `JWT_SECRET` by default, or come from an identity
provider: RS256 or ES256 with `JWT_PUBLIC_KEY` or `JWKS_URL`, and then only
those (`graph.guards.auth.keys`).  `JWT_ISSUER` and `JWT_AUDIENCE` are
checked when set, with `JWT_LEEWAY_SECONDS` of leeway for `exp`, `nbf` and
`iat`.  The tenant claims may be paths into nested claims
(`graph.guards.auth.claim_path`).
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import NamedTuple
from uuid import UUID

import jwt

from db.reader import Reader
from db.tenancy import Tenant
from graph.errors import Unauthenticated
from graph.guards.auth.claim_path import claim_at
from graph.guards.auth.credentials import bearer_token, tenant_headers
from graph.guards.auth.jwks import JwksKeys
from graph.guards.auth.keys import KeySource, SharedSecret, StaticPublicKey, VerificationKey
from graph.lru import LRU
from graph.settings import Settings

__all__ = ["ALGORITHM", "TenantClaims", "check_expiry", "issue_token"]

ALGORITHM = "HS256"
VERIFIED_TOKENS = 4096
"""Verified tokens remembered per process."""


class _Verified(NamedTuple):
    tenant: Tenant
    expiry: int  # seconds since the epoch, as PyJWT reads `exp`
    key: VerificationKey  # the key that verified the token


class _Rules(NamedTuple):
    """What a token's claims must say besides its signature."""

    client_account_claim: str
    engagement_claim: str
    issuer: str | None
    audience: str | None
    leeway: float


def _uuid_claim(claims: Mapping[str, object], name: str) -> UUID:
    try:
        return UUID(str(claim_at(claims, name)))
    except (KeyError, ValueError):
        raise Unauthenticated(f"The token's {name!r} claim is missing or not a UUID.") from None


def _refusal(error: jwt.InvalidTokenError) -> str:
    """Why a token PyJWT refused with `error` is refused: one message for every signature, algorithm or format problem."""
    missing = error.claim if isinstance(error, jwt.MissingRequiredClaimError) else None
    if isinstance(error, jwt.InvalidIssuerError) or missing == "iss":
        return "The token's issuer is not the one accepted."
    if isinstance(error, jwt.InvalidAudienceError) or missing == "aud":
        return "The token's audience is not the one accepted."
    if isinstance(error, jwt.ImmatureSignatureError):
        return "The token is not valid yet."
    return "The token is not valid."


def _verify(token: str, key: VerificationKey, rules: _Rules) -> _Verified:
    """The tenant and expiry of a token whose signature, issuer, audience and `nbf` check out; raises `Unauthenticated`.

    The expiry is left to the caller, who checks it on every request.
    """
    try:
        claims = jwt.decode(
            token,
            key.key,
            algorithms=[key.algorithm],
            issuer=rules.issuer,
            audience=rules.audience,
            leeway=rules.leeway,
            options={"require": ["exp"], "verify_exp": False},
        )
        expiry = int(claims["exp"])
    except jwt.InvalidTokenError as error:
        raise Unauthenticated(_refusal(error)) from None
    except (TypeError, ValueError, OverflowError):
        raise Unauthenticated("The token is not valid.") from None
    tenant = Tenant(
        client_account_id=_uuid_claim(claims, rules.client_account_claim),
        engagement_id=_uuid_claim(claims, rules.engagement_claim),
    )
    return _Verified(tenant, expiry, key)


def check_expiry(expiry: int, *, leeway: float = 0) -> None:
    """Raise `Unauthenticated` once `expiry` (seconds since the epoch) plus `leeway` has passed, as PyJWT's own check."""
    if expiry + leeway <= time.time():
        raise Unauthenticated("The token has expired.")


def _key_source(settings: Settings) -> KeySource:
    if settings.jwks_url is not None:
        return JwksKeys(
            settings.jwks_url,
            cache_seconds=settings.jwks_cache_seconds,
            refetch_seconds=settings.jwks_refetch_seconds,
            timeout_seconds=settings.jwks_timeout_seconds,
        )
    if settings.jwt_public_key is not None:
        return StaticPublicKey(settings.jwt_public_key)
    return SharedSecret(settings.jwt_secret)


class TenantClaims:
    """AUTH_MODE=jwt: tokens name the tenant in two claims (`JWT_CLIENT_ACCOUNT_CLAIM`, `JWT_ENGAGEMENT_CLAIM`).

    A bearer token always wins; the tenant headers count only when
    `TRUSTED_TENANT_HEADERS` is on (a proxy in front sets them).  Every
    refusal is `Unauthenticated`, but `IdentityProviderUnavailable` when the
    identity provider's keys cannot be fetched.

    Each token is verified once per key: the cache holds only tokens that
    passed, keyed by the whole token, signature included, so a forged or
    altered token is never a hit, and a hit counts only while the key that
    verified it is current.  The expiry is checked on every request.
    """

    payload_keys: tuple[str, ...] = ("authorization",)

    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self._keys = _key_source(settings)
        self._rules = _Rules(
            settings.jwt_client_account_claim, settings.jwt_engagement_claim, settings.jwt_issuer, settings.jwt_audience, settings.jwt_leeway_seconds
        )
        self._verified: LRU[str, _Verified] = LRU(VERIFIED_TOKENS)

    async def _verified_token(self, token: str) -> _Verified:
        known = self._verified.get(token)
        if known is not None and self._keys.current(known.key):
            return known
        key = await self._keys.key_for(token)
        if known is None or known.key is not key:
            known = _verify(token, key, self._rules)
            self._verified.put(token, known)
        return known

    async def authenticate(self, headers: Mapping[str, str], reader: Reader) -> Tenant:
        """The tenant the request acts for (`headers` lower-cased); no statement is run."""
        token = bearer_token(headers)
        if token is not None:
            verified = await self._verified_token(token)
            check_expiry(verified.expiry, leeway=self._rules.leeway)
            return verified.tenant
        if self._settings.trusted_tenant_headers:
            try:
                from_headers = tenant_headers(headers)
            except ValueError as error:
                raise Unauthenticated(str(error)) from None
            if from_headers is not None:
                return from_headers
        raise Unauthenticated("Authentication is required: send 'Authorization: Bearer <token>'.")

    def expires_at(self, headers: Mapping[str, str]) -> float | None:
        """When the bearer token of headers `authenticate` accepted expires, leeway included; None without a token.

        `authenticate` has verified the token, so its `exp` is read without verifying it again.
        """
        token = bearer_token(headers)
        if token is None:
            return None
        claims = jwt.decode(token, options={"verify_signature": False})
        return float(int(claims["exp"])) + self._rules.leeway


def issue_token(settings: Settings, tenant: Tenant, *, ttl_seconds: int = 86_400) -> str:
    """A signed HS256 token for `tenant`, valid for `ttl_seconds`, from `JWT_ISSUER` for `JWT_AUDIENCE` when they are set.

    Accepted only where `JWT_SECRET` verifies tokens: not with `JWT_PUBLIC_KEY` or `JWKS_URL`.
    """
    now = int(time.time())
    claims: dict[str, object] = {
        settings.jwt_client_account_claim: str(tenant.client_account_id),
        settings.jwt_engagement_claim: str(tenant.engagement_id),
        "iat": now,
        "exp": now + ttl_seconds,
    }
    claims.update((name, value) for name, value in (("iss", settings.jwt_issuer), ("aud", settings.jwt_audience)) if value is not None)
    return jwt.encode(claims, settings.jwt_secret, algorithm=ALGORITHM)
