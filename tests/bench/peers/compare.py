"""`make bench PEERS=1`: PostGraphile v4 and v5 beside the gateway, on the same data, measured in the same run.

For (a) and (b) it first checks that each peer returns the gateway's data
(`tests.bench.peers.check`) and raises `PeerDataMismatch` if not.  Then
it measures every server with the same load generator: throughput at
concurrency 16, the servers taking turns slice by slice, and then latency at
concurrency 1, the servers taking turns request by request (gateway, v4,
v5, raw-SQL limit), so that the ratios hold on a noisy machine.  Ratios are
Flowgate ÷ peer: above 1 is better for throughput, below 1 for p50.
"""

from __future__ import annotations

import asyncio
import statistics
from dataclasses import asdict, dataclass
from typing import Any
from urllib.parse import urlencode

import orjson

from db.seed.bench import BENCH_TENANT
from db.settings import DatabaseSettings
from tests.bench import queries
from tests.bench.load import _Connection, measure_latencies, measure_throughput, request_bytes
from tests.bench.peers import documents
from tests.bench.peers.check import check_same_data
from tests.bench.peers.normalise import Json
from tests.bench.peers.postgraphile import Peer, serving
from tests.bench.queries import first_flow_id, graphql_request

__all__ = ["TENANCY", "compare_peers"]

CONCURRENCY = 16
SLICES = 3
FLOWGATE = "Flowgate"
LIMIT = "raw-SQL limit"
TENANCY = (
    "PostGraphile filters only the root connection by tenant (condition on client_account_id and engagement_id); "
    "its nested reads follow foreign keys unfiltered, while every Flowgate statement filters by tenant. "
    "Flowgate verifies a bearer token on each request; the peers serve without authentication."
)


@dataclass(frozen=True)
class _Scenario:
    name: str
    flowgate: str
    postgraphile: str
    variables: dict[str, Any]
    raw_target: str


@dataclass(frozen=True)
class _Target:
    label: str
    port: int
    request: bytes


@dataclass(frozen=True)
class _Figures:
    p50_ms: float
    p95_ms: float
    rps_c16: float


def _scenarios(flow_id: str) -> list[_Scenario]:
    """(a) and (b) as the headline table of `make bench` runs them."""
    detail = {"flowId": flow_id, "records": 50}
    page = {"flows": 50, "records": 10}
    return [
        _Scenario(
            "(a) flow detail, 50 records",
            queries.FLOW_DETAIL,
            documents.FLOW_DETAIL,
            detail,
            "/detail?" + urlencode({"flow_id": flow_id, "records": 50}),
        ),
        _Scenario(
            "(b) 50 flows x discovery, import, 10 records",
            queries.FLOW_PAGE_WITH_RECORDS,
            documents.FLOW_PAGE_WITH_RECORDS,
            page,
            "/page?" + urlencode(page),
        ),
    ]


async def _answer(port: int, request: bytes) -> Json:
    connection = await _Connection.open(port)
    try:
        return orjson.loads(await connection.send(request))
    finally:
        connection.close()


async def _check_same_data(scenario: _Scenario, gateway: _Target, peers: list[_Target]) -> None:
    """One answer from each server, compared (`tests.bench.peers.check.check_same_data`)."""
    answers = {peer.label: await _answer(peer.port, peer.request) for peer in peers}
    check_same_data(scenario.name, await _answer(gateway.port, gateway.request), answers)


async def _throughputs(targets: list[_Target], *, seconds: float) -> list[float]:
    """Requests per second of each target at concurrency 16 over `seconds`, taken in slices in turn after a warm-up slice each.

    Like the latencies, the slices take turns so that a change in the
    machine's load hits every server alike.
    """
    rates: list[list[float]] = [[] for _ in targets]
    for turn in range(SLICES + 1):
        for target, series in zip(targets, rates, strict=True):
            try:
                rate = await measure_throughput(target.port, target.request, concurrency=CONCURRENCY, seconds=seconds / SLICES)
            except RuntimeError as error:
                raise RuntimeError(f"{target.label}: {error}") from None
            if turn:  # the first turn warms the servers up (V8 compiles PostGraphile as it runs)
                series.append(rate)
    return [statistics.fmean(series) for series in rates]


async def _measure(targets: list[_Target], *, count: int, seconds: float) -> dict[str, _Figures]:
    """Each target's throughput (`_throughputs`), then their latencies at concurrency 1, interleaved."""
    throughputs = await _throughputs(targets, seconds=seconds)
    latencies = await measure_latencies([(t.port, t.request) for t in targets], count=count)
    for target, latency in zip(targets, latencies, strict=True):
        if b'"errors"' in latency.body:
            raise RuntimeError(f"{target.label}: {latency.body[:300]!r}")
    return {
        t.label: _Figures(round(latency.p50_ms, 2), round(latency.p95_ms, 2), round(rps))
        for t, latency, rps in zip(targets, latencies, throughputs, strict=True)
    }


def _ratios(figures: dict[str, _Figures], peers: list[Peer]) -> dict[str, dict[str, float]]:
    """Flowgate ÷ each peer: throughput (higher is better) and p50 (lower is better)."""
    ours = figures[FLOWGATE]
    return {
        peer.label: {
            "throughput": round(ours.rps_c16 / figures[peer.label].rps_c16, 2),
            "p50": round(ours.p50_ms / figures[peer.label].p50_ms, 2),
        }
        for peer in peers
    }


def _print_table(results: list[Json]) -> None:
    print("\nPeers: one process each on the same database (latency at concurrency 1, interleaved; throughput at concurrency 16)")
    print(f"{'scenario':46} {'server':17} {'p50 ms':>8} {'p95 ms':>8} {'rps c16':>8}")
    for result in results:
        for index, (label, figures) in enumerate(result["servers"].items()):
            scenario = "" if index else result["scenario"]
            print(f"{scenario:46} {label:17} {figures['p50_ms']:>8.2f} {figures['p95_ms']:>8.2f} {figures['rps_c16']:>8}")
    print(f"\n{'Flowgate ÷ peer':46} {'peer':17} {'rps (higher is better)':>23} {'p50 (lower is better)':>22}")
    for result in results:
        for index, (label, ratio) in enumerate(result["ratios"].items()):
            scenario = "" if index else result["scenario"]
            print(f"{scenario:46} {label:17} {ratio['throughput']:>22.2f}× {ratio['p50']:>21.2f}×")
    print(f"Tenancy: {TENANCY}")


async def _compare(gateway_port: int, limit_port: int, token: str, peers: list[tuple[Peer, int]], *, count: int, seconds: float) -> list[Json]:
    tenant = {"client": str(BENCH_TENANT.client_account_id), "engagement": str(BENCH_TENANT.engagement_id)}
    results = []
    for scenario in _scenarios(await first_flow_id(gateway_port, token)):
        gateway = _Target(FLOWGATE, gateway_port, graphql_request(token, scenario.flowgate, scenario.variables))
        others = [_Target(peer.label, port, graphql_request(None, scenario.postgraphile, {**scenario.variables, **tenant})) for peer, port in peers]
        await _check_same_data(scenario, gateway, others)
        print(f"{scenario.name}: {' and '.join(peer.label for peer in others)} return the gateway's data.", flush=True)
        limit = _Target(LIMIT, limit_port, request_bytes("GET", scenario.raw_target))
        figures = await _measure([gateway, *others, limit], count=count, seconds=seconds)
        results.append(
            {
                "scenario": scenario.name,
                "servers": {label: asdict(each) for label, each in figures.items()},
                "ratios": _ratios(figures, [peer for peer, _ in peers]),
            }
        )
    return results


def compare_peers(database: DatabaseSettings, gateway_port: int, limit_port: int, token: str, *, count: int, seconds: float) -> Json:
    """Serve the peers on `database`, check their data and measure them beside the running gateway and limit; the figures.

    Prints a table; returns what `.bench/results.json` keeps under `peers`.
    Raises `tests.bench.peers.check.PeerDataMismatch` when a peer's data differs, and
    `tests.bench.peers.install.NpmMissing` when the peers are not installed and npm is missing.
    """
    with serving(database) as peers:
        results = asyncio.run(_compare(gateway_port, limit_port, token, peers, count=count, seconds=seconds))
    _print_table(results)
    versions = {peer.label: dict(peer.packages) for peer, _ in peers}
    return {"versions": versions, "tenancy": TENANCY, "scenarios": results}
