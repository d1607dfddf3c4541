"""`JWKS_URL`: an identity provider's keys, fetched, cached and refetched within bounds.

PyJWT's `PyJWKClient` fetches and parses the key set; this module decides
when.  The client's own `get_signing_key` would fetch with urllib on the
caller's thread (the event loop's), holding a lock across the fetch, and
would ask again on every request while the provider is down (its cooldown
starts only after a fetch that succeeded).

- Cache: a key set is used for `JWKS_CACHE_SECONDS`; after that, the next
  token waits for a fetch, so a key the provider removed stops verifying.
- Refetch: a token whose `kid` is not in the set triggers a fetch, so a key
  the provider has just added is found.
- Bound: a fetch starts at most once per `JWKS_REFETCH_SECONDS`, whatever
  asks for it; requests that need one while one runs wait for that one.  A
  `kid` still unknown after the latest fetch is refused (401), so tokens
  with random `kid`s cost the provider one request per interval at most.
- Time: a request waits at most `JWKS_TIMEOUT_SECONDS` for a fetch (urllib
  gets the same timeout per socket operation).  Fetches run one at a time
  on a thread of their own: a provider that never answers holds that one
  thread, never the event loop.
- Outage: when a fetch fails, the key set fetched last stays in use.  With
  none, or for a `kid` it lacks, the request is refused with
  `IdentityProviderUnavailable` (503): the token may be valid, and there is
  no telling until the provider answers.
"""

from __future__ import annotations

import asyncio
import logging
import math
from collections.abc import Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import suppress
from dataclasses import dataclass, replace
from http.client import HTTPException
from time import monotonic

import jwt

from graph.errors import IdentityProviderUnavailable, Unauthenticated
from graph.guards.auth.keys import PUBLIC_KEY_ALGORITHMS, VerificationKey

__all__ = ["JwksKeys"]

log = logging.getLogger("flowgate.auth")


@dataclass(frozen=True)
class _KeySet:
    keys: Mapping[str, VerificationKey]  # by kid
    fetched_at: float  # time.monotonic() of the fetch that returned them
    latest_failed: bool  # the fetch after that one failed


def _kid_of(token: str) -> str:
    """The `kid` of a token whose header names an algorithm of `PUBLIC_KEY_ALGORITHMS`; raises `Unauthenticated`."""
    try:
        header = jwt.get_unverified_header(token)
    except jwt.InvalidTokenError:
        raise Unauthenticated("The token is not valid.") from None
    if header.get("alg") not in PUBLIC_KEY_ALGORITHMS:
        raise Unauthenticated("The token is not valid.")
    kid = header.get("kid")
    if not isinstance(kid, str):
        raise Unauthenticated("The token's signing key is not known.")
    return kid


class JwksKeys:
    """The `graph.guards.auth.keys.KeySource` of `JWKS_URL` (see the module docstring)."""

    def __init__(self, url: str, *, cache_seconds: float, refetch_seconds: float, timeout_seconds: float) -> None:
        self._client = jwt.PyJWKClient(url, cache_jwk_set=False, timeout=timeout_seconds)
        self._cache_seconds = cache_seconds
        self._refetch_seconds = refetch_seconds
        self._timeout_seconds = timeout_seconds
        self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="flowgate-jwks")
        self._set = _KeySet({}, fetched_at=-math.inf, latest_failed=False)  # replaced whole, by the fetch thread
        self._fetch: Future[None] | None = None
        self._fetch_started = -math.inf

    def current(self, key: VerificationKey) -> bool:
        key_set = self._set
        return monotonic() - key_set.fetched_at < self._cache_seconds and key in key_set.keys.values()

    async def key_for(self, token: str) -> VerificationKey:
        kid = _kid_of(token)
        key_set = self._set
        if kid not in key_set.keys or monotonic() - key_set.fetched_at >= self._cache_seconds:
            await self._refreshed()
            key_set = self._set
        key = key_set.keys.get(kid)
        if key is not None:
            return key
        if key_set.fetched_at == -math.inf or key_set.latest_failed or self._fetching():
            raise IdentityProviderUnavailable("The identity provider's keys cannot be fetched now; try again shortly.")
        raise Unauthenticated("The token's signing key is not known.")

    def _fetching(self) -> bool:
        return self._fetch is not None and not self._fetch.done()

    async def _refreshed(self) -> None:
        """Returns when the running fetch, or one started now, has ended, or its time is up; starts none too soon after the last."""
        fetch = self._fetch
        if fetch is None or fetch.done():
            if monotonic() - self._fetch_started < self._refetch_seconds:
                return
            self._fetch_started = monotonic()
            fetch = self._fetch = self._thread.submit(self._fetch_keys)
        remaining = self._fetch_started + self._timeout_seconds - monotonic()
        if remaining > 0:
            with suppress(TimeoutError):
                # Shielded: a request that stops waiting leaves the fetch to finish, for the requests after it.
                await asyncio.wait_for(asyncio.shield(asyncio.wrap_future(fetch)), remaining)

    def _fetch_keys(self) -> None:
        """Fetch the key set (on the fetch thread) and publish it; on failure keep the last one, and log why."""
        try:
            fetched = self._client.get_signing_keys(refresh=True)
        except (jwt.PyJWTError, OSError, ValueError, HTTPException) as error:
            # Unreachable, timed out, an HTTP error, not JSON, no usable keys: the provider's problem, logged for its operators.
            log.warning("Cannot fetch the identity provider's keys from JWKS_URL (%s: %s).", type(error).__name__, error)
            self._set = replace(self._set, latest_failed=True)
            return
        keys = {
            key.key_id: VerificationKey(key.key, key.algorithm_name)
            for key in fetched
            if key.key_id is not None and key.algorithm_name in PUBLIC_KEY_ALGORITHMS
        }
        if not keys:
            log.warning("The identity provider's keys at JWKS_URL include no RS256 or ES256 key; every token is refused.")
        self._set = _KeySet(keys, fetched_at=monotonic(), latest_failed=False)
