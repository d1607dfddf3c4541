"""Rate-limit windows in Redis (REDIS_URL): one budget per tenant across every process and replica.

A window is one key per tenant: a hash of the points used and when the
window ends, expiring then.  A Lua script checks and charges it
atomically, so concurrent charges from many processes never overspend, and
it times windows by Redis's clock (TIME, so Redis 5 or later), so every
process reports the same `resetAt` for a window.

Redis must never make the gateway fail or wait: each charge gets at most
REDIS_TIMEOUT_MS, and a failure (refused, reset, timed out, an error
reply) lets the operation through unmetered (fail open), counts
`gateway_rate_limit_backend_errors_total`, and leaves Redis alone for
`BACKOFF_SECONDS`, so that an outage costs one request per process that
long at most.  One warning is logged when Redis starts failing, and one
line when it answers again: an outage never floods the log.
"""

from __future__ import annotations

import asyncio
import logging
import time

from redis.asyncio import Redis
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff
from redis.exceptions import RedisError

from graph.guards.rate_limit.window import Window
from graph.observability.metrics import RATE_LIMIT_BACKEND_ERRORS

__all__ = ["BACKOFF_SECONDS", "RedisWindows"]

log = logging.getLogger("flowgate.rate_limit")

BACKOFF_SECONDS = 1.0
"""How long a process leaves Redis alone after a failure (its operations pass unmetered meanwhile)."""

# KEYS[1]: the window, a hash of the points `used` and when it `ends` (ms since the epoch, on Redis's clock),
# expiring then.  ARGV: cost, points, the window's length in ms.  Returns {charged, remaining, ends}.
_CHARGE = """
local cost, points, length = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local window = redis.call('HMGET', KEYS[1], 'used', 'ends')
local used, ends = tonumber(window[1]), tonumber(window[2])
local opening = ends == nil
if opening then
  local now = redis.call('TIME')
  used, ends = 0, now[1] * 1000 + math.floor(now[2] / 1000) + length
end
if used + cost > points then
  return {0, points - used, ends}
end
if opening then
  redis.call('HSET', KEYS[1], 'used', cost, 'ends', ends)
  redis.call('PEXPIREAT', KEYS[1], ends)
else
  redis.call('HINCRBY', KEYS[1], 'used', cost)
end
return {1, points - used - cost, ends}
"""


class RedisWindows:
    """`points` per key per `seconds` in the Redis at `url`, under keys starting with `prefix`."""

    def __init__(self, url: str, *, points: int, seconds: float, prefix: str, timeout_ms: int) -> None:
        self.points = points
        self.length_ms = max(1, round(seconds * 1000))
        self.prefix = prefix
        self.timeout = timeout_ms / 1000
        # No retries: a charge gets one try within the timeout, and fails open after it.
        self._redis = Redis.from_url(url, socket_timeout=self.timeout, socket_connect_timeout=self.timeout, retry=Retry(NoBackoff(), 0))
        self._script = self._redis.register_script(_CHARGE)
        self._resume_at = 0.0  # time.monotonic() before which Redis is left alone
        self._failing = False

    async def charge(self, key: str, cost: int) -> Window | None:
        if time.monotonic() < self._resume_at:
            return None
        try:
            async with asyncio.timeout(self.timeout):  # the bound of the whole call: connecting included
                charged, remaining, ends_ms = await self._script(keys=[self.prefix + key], args=[cost, self.points, self.length_ms])
        except (RedisError, OSError) as error:  # OSError: TimeoutError and refused or reset connections
            self._failed(error)
            return None
        if self._failing:
            self._failing = False
            log.info("Redis answers again: operations are charged to their rate limits again.")
        return Window(bool(charged), int(remaining), int(ends_ms) / 1000)

    def _failed(self, error: Exception) -> None:
        RATE_LIMIT_BACKEND_ERRORS.inc()
        self._resume_at = time.monotonic() + BACKOFF_SECONDS
        if not self._failing:
            self._failing = True
            log.warning("Redis failed (%s: %s): operations run unmetered until it answers again.", type(error).__name__, error)

    async def close(self) -> None:
        await self._redis.aclose()
