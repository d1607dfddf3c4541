"""One soak run against a served gateway: load for a while, then the figures that must stay flat.

The headline queries of the benchmark take turns over `concurrency`
keep-alive connections.  A request that does not get HTTP 200 without
GraphQL errors counts as an error.  Resident memory (the server and its
workers) is read once the warm-up is over and again at the end, and the
pool's sessions are counted in `pg_stat_activity` while the load runs.
"""

from __future__ import annotations

import asyncio
import statistics
from collections.abc import Sequence
from contextlib import suppress
from dataclasses import dataclass, field

import asyncpg

from tests.bench import queries
from tests.bench.load import Sample, generate_load, stop_after
from tests.bench.queries import graphql_request
from tests.bench.servers import gateway_sessions, process_tree, rss_mb

__all__ = ["SoakReport", "headline_requests", "soak"]


@dataclass
class SoakReport:
    """What a soak run saw; `rss_mb` holds a reading every tenth of the run, the warm-up's end first.

    `sessions` counts the pool sessions of the gateway's processes, `pids`, at the end of the load.
    """

    seconds: float
    concurrency: int
    requests: int = 0
    errors: int = 0
    latencies: list[float] = field(default_factory=list, repr=False)
    rss_mb: list[float] = field(default_factory=list)
    sessions: int = 0
    pids: list[int] = field(default_factory=list)

    def record(self, sample: Sample) -> None:
        self.requests += 1
        self.errors += sample.status != 200 or bool(sample.codes)
        self.latencies.append(sample.seconds)

    def summary(self) -> dict[str, float | int]:
        quantiles = statistics.quantiles(self.latencies, n=100) if len(self.latencies) > 1 else [0.0] * 99
        return {
            "seconds": self.seconds,
            "concurrency": self.concurrency,
            "requests": self.requests,
            "requests_per_second": round(self.requests / self.seconds),
            "errors": self.errors,
            "p50_ms": round(quantiles[49] * 1000, 1),
            "p99_ms": round(quantiles[98] * 1000, 1),
            "rss_start_mb": round(self.rss_mb[0], 1),
            "rss_end_mb": round(self.rss_mb[-1], 1),
            "pool_sessions_at_end": self.sessions,
        }


def headline_requests(token: str, flow_id: str) -> list[bytes]:
    """README's headline queries (a), (b) and (c), at their benchmark page sizes."""
    return [
        graphql_request(token, queries.FLOW_DETAIL, {"flowId": flow_id, "records": 50}),
        graphql_request(token, queries.FLOW_PAGE_WITH_RECORDS, {"flows": 50, "records": 10}),
        graphql_request(token, queries.FLOW_PAGE, {"flows": 100}),
    ]


async def soak(
    port: int,
    pid: int,
    requests: Sequence[bytes],
    database: asyncpg.Connection,
    *,
    seconds: float,
    concurrency: int,
    warmup: float,
) -> SoakReport:
    """Load the gateway on `port` (process `pid`) with `requests` for `warmup` then `seconds` seconds."""
    await generate_load(port, requests, concurrency=concurrency, stop=stop_after(warmup), record=lambda _: None)
    report = SoakReport(seconds, concurrency)
    stop = stop_after(seconds)

    async def watch() -> None:
        while not stop.is_set():
            report.rss_mb.append(rss_mb(pid))
            with suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), seconds / 10)
        report.rss_mb.append(rss_mb(pid))
        report.pids = process_tree(pid)
        report.sessions = len(await gateway_sessions(database, report.pids))

    await asyncio.gather(generate_load(port, requests, concurrency=concurrency, stop=stop, record=report.record), watch())
    return report
