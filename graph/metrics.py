"""Prometheus metrics of the gateway, served at `/metrics`.

With several worker processes, each counts into files in one directory
(prometheus_client's multiprocess mode, PROMETHEUS_MULTIPROC_DIR) and
`/metrics` sums them, whichever worker answers.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.multiprocess import MultiProcessCollector
from starlette.requests import Request
from starlette.responses import Response

from db.instrumentation import SQL_STATEMENTS

__all__ = ["SQL_STATEMENTS", "metrics_endpoint", "observe_request", "shared_by_workers"]

_MULTIPROCESS_DIR = "PROMETHEUS_MULTIPROC_DIR"

REQUESTS = Histogram("gateway_graphql_request_seconds", "Time spent executing GraphQL requests.")
ERRORS = Counter("gateway_graphql_errors", "GraphQL errors returned to clients, by code.", ["code"])


@contextmanager
def observe_request() -> Iterator[Callable[[list[str]], None]]:
    """Time the block as one GraphQL request; call the yielded function with its error codes."""
    started = time.perf_counter()

    def record_errors(codes: list[str]) -> None:
        for code in codes:
            ERRORS.labels(code=code).inc()

    try:
        yield record_errors
    finally:
        REQUESTS.observe(time.perf_counter() - started)


async def metrics_endpoint(request: Request) -> Response:
    registry = REGISTRY
    if _MULTIPROCESS_DIR in os.environ:
        registry = CollectorRegistry()
        MultiProcessCollector(registry)
    return Response(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)


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
