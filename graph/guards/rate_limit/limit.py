"""A tenant's rate limit: what an operation costs, and charging it to the tenant's window."""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from db.tenancy import Tenant
from graph.errors import ClientError
from graph.guards.rate_limit.local import LocalWindows
from graph.guards.rate_limit.window import Window, Windows
from graph.settings import Settings

__all__ = ["Charge", "RateLimit", "RateLimited", "rate_limit_for"]


def _timestamp(epoch_seconds: float) -> str:
    """ISO 8601 in UTC to the second, rounded up (GitHub's `resetAt`): 1767225600.2 → '2026-01-01T00:00:01Z'."""
    return datetime.fromtimestamp(math.ceil(epoch_seconds), UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass(frozen=True)
class Charge:
    """What an operation cost: `requested` points, leaving `remaining` until `resets_at` (epoch seconds).

    Both are None when the store could not tell (Redis unreachable): the
    operation ran unmetered.
    """

    requested: int
    remaining: int | None = None
    resets_at: float | None = None

    def extension(self) -> dict[str, Any]:
        """`extensions.cost` of the response: `{"requested": 7, "remaining": 93, "resetAt": "2026-01-01T00:01:00Z"}`."""
        reset_at = None if self.resets_at is None else _timestamp(self.resets_at)
        return {"requested": self.requested, "remaining": self.remaining, "resetAt": reset_at}


class RateLimited(ClientError):
    """An operation costing more points than its tenant has left in the window; nothing was charged.

    `retry_after` is the whole seconds until the window resets (at least 1).
    """

    code = "RATE_LIMITED"

    def __init__(self, cost: int, window: Window) -> None:
        self.charge = Charge(cost, window.remaining, window.resets_at)
        self.retry_after = max(1, math.ceil(window.resets_at - time.time()))
        until = _timestamp(window.resets_at)
        super().__init__(f"The rate limit is used up: this operation costs {cost:,} and the window has {window.remaining:,} left until {until}.")


class RateLimit:
    """Charges each operation to its tenant's window (see the package docstring)."""

    def __init__(self, windows: Windows) -> None:
        self.windows = windows

    async def charge(self, tenant: Tenant, nodes: int) -> Charge:
        """The charge for an operation that may return `nodes` nodes: that many points, at least 1.

        Raises `RateLimited` when the tenant's window has fewer points left.
        """
        cost = max(1, nodes)
        window = await self.windows.charge(f"{tenant.client_account_id}:{tenant.engagement_id}", cost)
        if window is None:
            return Charge(cost)
        if not window.charged:
            raise RateLimited(cost, window)
        return Charge(cost, window.remaining, window.resets_at)

    async def close(self) -> None:
        await self.windows.close()


def rate_limit_for(settings: Settings) -> RateLimit | None:
    """The rate limit the settings ask for: None when RATE_LIMIT_POINTS is 0, shared through Redis when REDIS_URL is set."""
    points, seconds = settings.rate_limit_points, settings.rate_limit_window_seconds
    if points == 0:
        return None
    if settings.redis_url is None:
        return RateLimit(LocalWindows(points=points, seconds=seconds))
    from graph.guards.rate_limit.shared import RedisWindows  # redis-py only where it is used: it weighs megabytes per worker

    windows = RedisWindows(settings.redis_url, points=points, seconds=seconds, prefix=settings.redis_key_prefix, timeout_ms=settings.redis_timeout_ms)
    return RateLimit(windows)
