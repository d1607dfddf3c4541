"""Per-tenant rate limits, GitHub-style (RATE_LIMIT_POINTS per RATE_LIMIT_WINDOW_SECONDS).

- An operation costs the nodes it may return, as the node limit estimates
  them (`graph.guards.limits`), and at least 1 point: a query without
  connections costs 1, so no operation escapes the limit.
- A tenant (client account and engagement) has a fixed window: it opens
  with the tenant's first charged operation and lasts the window's length,
  so windows of different tenants do not all reset at once.  An operation that
  costs more than remains is refused with RATE_LIMITED and charged nothing,
  so a client that backs off loses no points to its refused requests.
- Windows are kept in each process (`LocalWindows`), or in Redis when
  REDIS_URL is set (`RedisWindows`), shared by every process and replica;
  with Redis unreachable or slow, operations pass unmetered (fail open).
- RATE_LIMIT_POINTS=0 (the default) means no rate limit: nothing is charged
  and responses carry no `extensions.cost`.

The pipeline charges an operation once it is admitted, before it runs
(`graph.execution.pipeline`), so HTTP and WebSocket charge alike.
"""

from graph.guards.rate_limit.limit import Charge, RateLimit, RateLimited, rate_limit_for
from graph.guards.rate_limit.local import LocalWindows

__all__ = ["Charge", "LocalWindows", "RateLimit", "RateLimited", "rate_limit_for"]
