"""AUTH_MODE=platform: the platform's own login tokens, the tenant in headers, access as the platform grants it.

The platform's access token is HS256, signed with its `SECRET_KEY` (set
`JWT_SECRET` to it), and names the user (`sub`) but no tenant; `type` is
`access` (its refresh tokens say `refresh`, and are refused).  The tenant
comes in `X-Client-Account-ID` and `X-Engagement-ID`, and the request is
served only when the platform's tables let that user act for it
(`db.queries.tenant_access`).  Each answer is cached per (user, client
account, engagement) for `TENANT_ACCESS_CACHE_SECONDS`, at most
`TENANT_ACCESS_CACHE_SIZE` of them, so a user's next requests cost no extra
statement.  Refusals: `Unauthenticated` (token), `BadUserInput` (headers),
`Forbidden` (access), each with one message whatever exists.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from uuid import UUID

import jwt
from cachetools import TTLCache

from db.queries.tenant_access import may_act_for
from db.reader import Reader
from db.tenancy import Tenant
from graph.errors import BadUserInput, Forbidden, Unauthenticated
from graph.guards.auth.claims import ALGORITHM, check_expiry
from graph.guards.auth.credentials import TENANT_HEADERS, bearer_token, tenant_headers
from graph.settings import Settings

__all__ = ["PlatformLogin"]


@lru_cache(maxsize=4096)
def _verified_login(token: str, secret: str) -> tuple[UUID, int]:
    """The user ID and expiry of a platform access token whose signature and claims check out (cached as in `claims`)."""
    try:
        claims = jwt.decode(token, secret, algorithms=[ALGORITHM], options={"require": ["exp", "sub"], "verify_exp": False})
        expiry = int(claims["exp"])
        user_id = UUID(str(claims["sub"]))
    except (jwt.InvalidTokenError, TypeError, ValueError, OverflowError):
        raise Unauthenticated("The token is not valid.") from None
    if claims.get("type") != "access":
        raise Unauthenticated("The token is not an access token.")
    return user_id, expiry


class PlatformLogin:
    """AUTH_MODE=platform (see the module docstring)."""

    payload_keys: tuple[str, ...] = ("authorization", *TENANT_HEADERS)

    def __init__(self, settings: Settings) -> None:
        self._secret = settings.jwt_secret
        self._access: TTLCache[tuple[UUID, Tenant], bool] = TTLCache(
            maxsize=settings.tenant_access_cache_size, ttl=settings.tenant_access_cache_seconds
        )

    async def authenticate(self, headers: Mapping[str, str], reader: Reader) -> Tenant:
        """The tenant the request acts for (`headers` lower-cased); one statement when the access answer is not cached."""
        token = bearer_token(headers)
        if token is None:
            raise Unauthenticated("Authentication is required: send 'Authorization: Bearer <token>' with the platform's access token.")
        user_id, expiry = _verified_login(token, self._secret)
        check_expiry(expiry)
        try:
            tenant = tenant_headers(headers)
        except ValueError as error:
            raise BadUserInput(str(error)) from None
        if tenant is None:
            raise BadUserInput("Send the tenant in the X-Client-Account-ID and X-Engagement-ID headers.")
        allowed = self._access.get((user_id, tenant))
        if allowed is None:
            allowed = await may_act_for(reader, user_id=user_id, tenant=tenant)
            self._access[user_id, tenant] = allowed
        if not allowed:
            raise Forbidden("This login may not act for that client account and engagement.")
        return tenant

    def expires_at(self, headers: Mapping[str, str]) -> float | None:
        """When the token of headers `authenticate` accepted expires (no decoding again)."""
        token = bearer_token(headers)
        return None if token is None else float(_verified_login(token, self._secret)[1])
