"""Who is asking: the tenant of a request, by `AUTH_MODE`.

- `jwt` (the default, `graph.guards.auth.claims`): tokens carry the tenant in claims,
  signed with `JWT_SECRET` (HS256) or an identity provider's keys (RS256, ES256);
  or trusted tenant headers, when a proxy in front sets them.
- `platform` (`graph.guards.auth.platform`): the platform's own login tokens, the
  tenant in headers, checked against the platform's tables.

Both transports call an `Authenticator`: HTTP with the request's headers,
WebSocket with the upgrade's headers and, in their place, the
`connection_init` payload's `payload_keys`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol

from db.reader import Reader
from db.tenancy import Tenant
from graph.guards.auth.claims import TenantClaims, issue_token
from graph.guards.auth.platform import PlatformLogin
from graph.settings import Settings

__all__ = ["Authenticator", "authenticator_for", "issue_token"]


class Authenticator(Protocol):
    payload_keys: tuple[str, ...]
    """The `connection_init` payload keys (lower-cased) that stand for headers of the same name."""

    async def authenticate(self, headers: Mapping[str, str], reader: Reader) -> Tenant:
        """The tenant of a request whose lower-cased headers are `headers`; raises a `ClientError` to refuse it."""
        ...

    def expires_at(self, headers: Mapping[str, str]) -> float | None:
        """When the credentials `authenticate` accepted stop being valid (seconds since the epoch), if they do."""
        ...


def authenticator_for(settings: Settings) -> Authenticator:
    return PlatformLogin(settings) if settings.auth_mode == "platform" else TenantClaims(settings)
