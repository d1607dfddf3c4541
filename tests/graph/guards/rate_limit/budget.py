"""What the rate-limit tests share: a budget of 10 points, operations costing 7 and 3, and reading `resetAt`."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Any

from db.settings import changed
from graph.settings import Settings

POINTS = 10
COSTS_7 = "{ masterFlows(first: 7) { totalCount } }"
COSTS_3 = "{ masterFlows(first: 3) { totalCount } }"
NO_FLOWS = {"masterFlows": {"totalCount": 0}}  # what both answer: the tenant has no flows


def limited(settings: Settings, **changes: Any) -> Settings:
    """`settings` with a rate limit of POINTS per window, and a node limit that fits in it."""
    return changed(settings, rate_limit_points=POINTS, max_nodes=POINTS, **changes)


def seconds_until(reset_at: str) -> float:
    """The seconds from now until `resetAt` ('2026-01-01T00:01:00Z')."""
    return datetime.strptime(reset_at, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC).timestamp() - time.time()


def cost(requested: int, remaining: int | None, reset_at: str | None) -> dict[str, Any]:
    """A response's `extensions` member for that cost."""
    return {"cost": {"requested": requested, "remaining": remaining, "resetAt": reset_at}}
