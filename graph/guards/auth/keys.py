"""The keys that verify AUTH_MODE=jwt tokens, each bound to the one algorithm it verifies.

A token is verified with exactly the algorithm of its key, never the one its
header asks for: with an identity provider's RSA or EC keys configured, an
HS256 token (even one whose secret is the public key's PEM) or an unsigned
one is refused, so algorithms cannot be confused.

- `SharedSecret`: `JWT_SECRET`, HS256 (the default; Flowgate's own tokens).
- `StaticPublicKey`: `JWT_PUBLIC_KEY`, RS256 for an RSA key, ES256 for a P-256 one.
- `graph.guards.auth.jwks.JwksKeys`: `JWKS_URL`, the identity provider's keys by `kid`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from cryptography.hazmat.primitives.asymmetric import rsa

from graph.settings import PublicKey

__all__ = ["PUBLIC_KEY_ALGORITHMS", "KeySource", "SharedSecret", "StaticPublicKey", "VerificationKey"]

PUBLIC_KEY_ALGORITHMS = frozenset({"RS256", "ES256"})
"""The algorithms of an identity provider's keys that Flowgate verifies."""


@dataclass(frozen=True, eq=False)
class VerificationKey:
    """A key and the one algorithm it verifies; equal only to itself, so a verification made with it can be cached by it."""

    key: str | PublicKey
    algorithm: str


class KeySource(Protocol):
    def current(self, key: VerificationKey) -> bool:
        """Whether `key`, which verified a token before, still verifies tokens, known without waiting."""
        ...

    async def key_for(self, token: str) -> VerificationKey:
        """The key to verify `token` with; raises `Unauthenticated`, or `IdentityProviderUnavailable` when it cannot tell."""
        ...


class _OneKey:
    """A source of one key that never changes."""

    def __init__(self, key: VerificationKey) -> None:
        self._key = key

    def current(self, key: VerificationKey) -> bool:
        return key is self._key

    async def key_for(self, token: str) -> VerificationKey:
        return self._key


class SharedSecret(_OneKey):
    """`JWT_SECRET`, for HS256."""

    def __init__(self, secret: str) -> None:
        super().__init__(VerificationKey(secret, "HS256"))


class StaticPublicKey(_OneKey):
    """`JWT_PUBLIC_KEY`: RS256 for an RSA key, ES256 for a P-256 one (the only kinds settings accept)."""

    def __init__(self, key: PublicKey) -> None:
        super().__init__(VerificationKey(key, "RS256" if isinstance(key, rsa.RSAPublicKey) else "ES256"))
