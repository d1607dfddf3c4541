"""Fixtures of the rate-limit tests: a key prefix of the test's own in the machine's Redis, and a budget kept in process or there."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import pytest
from redis.asyncio import Redis

from db.settings import changed
from graph.settings import Settings
from tests.graph.guards.rate_limit.budget import limited

REDIS_URL = "redis://127.0.0.1:6379/0"  # on every developer's machine and in CI
# Generous: a loaded machine can stall the event loop past REDIS_TIMEOUT_MS's default, and the request would pass unmetered.
REDIS_TIMEOUT_MS = 2000


@pytest.fixture
async def redis_prefix() -> AsyncIterator[str]:
    """A key prefix no other test (or test run) uses; its keys are deleted afterwards."""
    prefix = f"flowgate-test:{uuid.uuid4().hex}:"
    yield prefix
    redis = Redis.from_url(REDIS_URL)
    try:
        keys = [key async for key in redis.scan_iter(match=f"{prefix}*")]
        if keys:
            await redis.delete(*keys)
    finally:
        await redis.aclose()


@pytest.fixture(params=["in-process", "redis"])
def budget_settings(request: pytest.FixtureRequest, settings: Settings) -> Settings:
    """`settings` with a rate limit of POINTS a minute, its windows kept in process or in Redis."""
    if request.param == "in-process":
        return limited(settings)
    return limited(
        changed(settings, redis_url=REDIS_URL, redis_key_prefix=request.getfixturevalue("redis_prefix"), redis_timeout_ms=REDIS_TIMEOUT_MS)
    )
