"""Prometheus metrics of the gateway, served at `/metrics`.

With several worker processes, each counts into files in one directory
(prometheus_client's multiprocess mode, PROMETHEUS_MULTIPROC_DIR) and
`/metrics` sums them, whichever worker answers.  The connection pool
gauges are read from the answering worker's pool when scraped.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
import time
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Literal

from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import Collector
from starlette.requests import Request
from starlette.responses import Response

if TYPE_CHECKING:
    from db.reader import Reader

__all__ = [
    "OPEN_SUBSCRIPTIONS",
    "RATE_LIMIT_BACKEND_ERRORS",
    "PoolUsage",
    "RefusalReason",
    "count_errors",
    "count_refusal",
    "metrics_endpoint",
    "operation_label",
    "shared_by_workers",
    "timed_request",
]

_MULTIPROCESS_DIR = "PROMETHEUS_MULTIPROC_DIR"

REQUESTS = Histogram("gateway_graphql_request_seconds", "Time spent executing GraphQL requests, by operation name.", ["operation"])
ERRORS = Counter("gateway_graphql_errors", "GraphQL errors returned to clients, by code.", ["code"])
OPEN_SUBSCRIPTIONS = Gauge("gateway_open_subscriptions", "Subscriptions running over WebSocket.", multiprocess_mode="livesum")
REFUSALS = Counter("gateway_graphql_refusals", "GraphQL requests over HTTP refused without running an operation.", ["status", "reason"])
RATE_LIMIT_BACKEND_ERRORS = Counter("gateway_rate_limit_backend_errors", "Calls to Redis for rate limits that failed; operations passed unmetered.")

RefusalReason = Literal[
    "method",  # 405: neither GET nor POST
    "csrf",  # 400: a request a browser could send cross-site without a preflight
    "accept",  # 406: no acceptable response media type
    "content_type",  # 415: a POST that is not application/json
    "body_size",  # 413: over MAX_BODY_BYTES
    "malformed",  # 400: a body or parameters that are not a GraphQL request
    "credentials",  # 401, 403, or 400 for malformed tenant headers
    "unavailable",  # 503: the database cannot check the credentials
    "operation_type",  # 405 for a mutation over GET, 400 for a subscription over HTTP
    "document",  # parse, validation, node limit, persisted queries: 400, or 200 for legacy JSON and APQ
    "rate_limit",  # 429: the tenant's rate limit is used up
]
"""Why a request was refused: the `reason` label of `gateway_graphql_refusals_total`, a closed set."""

# A label value per distinct name: clients choose operation names, so both their form and their number are capped.
_OPERATION_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,63}")
MAX_OPERATION_LABELS = 500
_operation_labels: set[str] = set()


def operation_label(operation_name: str | None) -> str:
    """The `operation` label of a request's operationName, from a bounded set of values.

    None → "anonymous"; a GraphQL name of at most 64 characters → itself, until
    MAX_OPERATION_LABELS names have been seen by this process; anything else → "other".
    `operation_label("FlowPage")` → "FlowPage"; `operation_label("x" * 65)` → "other".
    """
    if operation_name is None:
        return "anonymous"
    if operation_name in _operation_labels:
        return operation_name
    if _OPERATION_NAME.fullmatch(operation_name) and len(_operation_labels) < MAX_OPERATION_LABELS:
        _operation_labels.add(operation_name)
        return operation_name
    return "other"


@contextmanager
def timed_request(operation: str) -> Iterator[None]:
    """Time the block as one GraphQL request labelled `operation`."""
    started = time.perf_counter()
    try:
        yield
    finally:
        REQUESTS.labels(operation=operation).observe(time.perf_counter() - started)


def count_errors(codes: list[str]) -> None:
    """Count each error code of a response or refusal (the pipeline calls this, once per response)."""
    for code in codes:
        ERRORS.labels(code=code).inc()


def count_refusal(status: int, reason: RefusalReason) -> None:
    """Count one request refused with HTTP `status` (the transport calls this, once per refused request)."""
    REFUSALS.labels(status=str(status), reason=reason).inc()


class PoolUsage(Collector):
    """Gauges of a reader's connection pool, read when scraped."""

    def __init__(self, reader: Reader) -> None:
        self.reader = reader

    def collect(self) -> Iterator[Metric]:
        pool = self.reader.pool
        size, idle = pool.get_size(), pool.get_idle_size()
        yield GaugeMetricFamily("gateway_db_pool_max_connections", "The most connections the pool opens.", value=pool.get_max_size())
        yield GaugeMetricFamily("gateway_db_pool_connections", "Connections the pool holds open.", value=size)
        yield GaugeMetricFamily("gateway_db_pool_connections_in_use", "Pooled connections held by a request.", value=size - idle)
        yield GaugeMetricFamily("gateway_db_pool_connections_idle", "Pooled connections waiting for a statement.", value=idle)


def metrics_endpoint() -> Callable[[Request], Awaitable[Response]]:
    """The `/metrics` endpoint: the process's (or, in multiprocess mode, all workers') metrics and the pool of the app's reader."""

    async def metrics(request: Request) -> Response:
        pool = CollectorRegistry()
        pool.register(PoolUsage(request.state.reader))
        registry = REGISTRY
        if _MULTIPROCESS_DIR in os.environ:
            registry = CollectorRegistry()
            MultiProcessCollector(registry)
        return Response(generate_latest(registry) + generate_latest(pool), media_type=CONTENT_TYPE_LATEST)

    return metrics


@contextmanager
def shared_by_workers(workers: int) -> Iterator[None]:
    """Inside the block, worker processes started count into one temporary directory (unless one is set).

    Call it before the workers import this module: the directory is read at import.
    """
    if workers == 1 or _MULTIPROCESS_DIR in os.environ:
        yield
        return
    directory = tempfile.mkdtemp(prefix="flowgate-metrics-")
    os.environ[_MULTIPROCESS_DIR] = directory
    try:
        yield
    finally:
        del os.environ[_MULTIPROCESS_DIR]
        shutil.rmtree(directory, ignore_errors=True)
