"""`make bench`: seed, serve, and measure the gateway against the raw-SQL limit.

    python -m tests.bench [--flows 200] [--records 500] [--count 300] [--seconds 3] [--platform]

First the plan of every headline statement is printed (EXPLAIN), and the
bench stops unless each record page is an index scan on the page key.
Both servers run under the same uvicorn (uvloop, httptools, one worker), and
one load generator measures both in the same run; figures are reported as
ratios gateway/limit, which hold up on a noisy shared machine where absolute
milliseconds do not.  Results also go to `.bench/results.json`.
"""

from __future__ import annotations

import argparse
import asyncio
import json
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from graph.settings import Settings
from tests.bench import queries
from tests.bench.load import measure_latencies, measure_throughput, request_bytes
from tests.bench.peers import compare_peers
from tests.bench.peers.check import first_difference
from tests.bench.plans import Plan, check_record_pages, plans_of
from tests.bench.platform_indexes import measure_platform_indexes
from tests.bench.queries import Scenario, detail, detail_to, first_flow_id, graphql_request, listing, page
from tests.bench.servers import PYTHON, ROOT, eventually, free_port, peak_rss_mb, running, sql_statements_total
from tests.bench.tenant import GATEWAY, seeded

UVICORN_OPTIONS = ["--loop", "uvloop", "--http", "httptools", "--no-access-log", "--log-level", "warning"]


@dataclass
class Row:
    scenario: str
    gateway_p50_ms: float
    gateway_p95_ms: float
    limit_p50_ms: float
    limit_p95_ms: float
    ratio_p50: float
    gateway_rps_c16: float | None = None
    limit_rps_c16: float | None = None
    statements_per_request: float | None = None


async def _measure(scenario: Scenario, gateway: int, limit: int, token: str, args: argparse.Namespace, *, load: bool) -> Row:
    graphql = graphql_request(token, scenario.graphql, scenario.variables)
    raw = request_bytes("GET", scenario.raw_target)
    before = await sql_statements_total(gateway)
    gateway_latency, limit_latency = await measure_latencies([(gateway, graphql), (limit, raw)], count=args.count)
    statements = (await sql_statements_total(gateway) - before) / (args.count + 30)
    if b'"errors"' in gateway_latency.body:
        raise RuntimeError(f"{scenario.name}: {gateway_latency.body[:300]!r}")
    difference = first_difference(_without_cursors(json.loads(gateway_latency.body)), _without_cursors(json.loads(limit_latency.body)))
    if difference:
        raise RuntimeError(f"{scenario.name}: the limit does not return the gateway's data: {difference}")
    row = Row(
        scenario.name,
        round(gateway_latency.p50_ms, 2),
        round(gateway_latency.p95_ms, 2),
        round(limit_latency.p50_ms, 2),
        round(limit_latency.p95_ms, 2),
        round(gateway_latency.p50_ms / limit_latency.p50_ms, 2),
        statements_per_request=round(statements, 2),
    )
    if load:
        row.gateway_rps_c16 = round(await measure_throughput(gateway, graphql, concurrency=16, seconds=args.seconds))
        row.limit_rps_c16 = round(await measure_throughput(limit, raw, concurrency=16, seconds=args.seconds))
    return row


CURSORS = frozenset({"cursor", "startCursor", "endCursor"})


def _without_cursors(value: Any) -> Any:
    """`value` without its cursors, which the gateway signs and the limit does not."""
    if isinstance(value, dict):
        return {key: _without_cursors(item) for key, item in value.items() if key not in CURSORS}
    if isinstance(value, list):
        return [_without_cursors(item) for item in value]
    return value


def _print_table(title: str, rows: list[Row]) -> None:
    print(f"\n{title}")
    print(f"{'scenario':44} {'gateway p50/p95 ms':>19} {'limit p50/p95 ms':>17} {'ratio':>6} {'rps c16 gw/limit':>17} {'SQL/req':>8}")
    for r in rows:
        rps = f"{r.gateway_rps_c16}/{r.limit_rps_c16}" if r.gateway_rps_c16 is not None else "-"
        print(
            f"{r.scenario:44} {r.gateway_p50_ms:>8.2f}/{r.gateway_p95_ms:<10.2f} {r.limit_p50_ms:>7.2f}/{r.limit_p95_ms:<9.2f}"
            f" {r.ratio_p50:>5.2f}x {rps:>17} {r.statements_per_request:>8}"
        )


def _print_plans(plans: dict[str, list[Plan]]) -> None:
    print("\nPlans of the headline statements (EXPLAIN, as the gateway sends them)")
    for name, statements in plans.items():
        print(f"{name}:")
        for plan in statements:
            print(f"  {'; '.join(plan.reads)}")


async def _run(args: argparse.Namespace, gateway: int, limit: int, token: str) -> dict:
    flow_id = await first_flow_id(gateway, token)
    scenarios = (detail(flow_id, 50), page(50, 10), listing(100))
    plans = await plans_of(Settings.from_env(), {s.name: (s.graphql, s.variables) for s in scenarios}, token)
    _print_plans(plans)
    check_record_pages(plans)
    headline = [await _measure(s, gateway, limit, token, args, load=True) for s in scenarios]
    _print_table("Headline queries (latency at concurrency 1, throughput at concurrency 16)", headline)
    by_flows = [await _measure(page(n, 10), gateway, limit, token, args, load=False) for n in (10, 50, 100)]
    _print_table("Latency by flow page size", by_flows)
    by_records = [await _measure(detail(flow_id, n), gateway, limit, token, args, load=False) for n in (10, 100, 500)]
    _print_table("Latency by record page size", by_records)
    by_depth = [await _measure(detail_to(flow_id, levels), gateway, limit, token, args, load=False) for levels in range(5)]
    _print_table("Latency by depth: (a) with 10 records, cut after each level", by_depth)
    _print_depth_costs(by_depth)
    return {"headline": headline, "by_flow_page_size": by_flows, "by_record_page_size": by_records, "by_depth": by_depth}


def _print_depth_costs(by_depth: list[Row]) -> None:
    """What a request costs before its first statement, and what each level adds, for the gateway and for the limit."""
    levels = len(by_depth) - 1
    gateway = (by_depth[-1].gateway_p50_ms - by_depth[0].gateway_p50_ms) / levels
    limit = (by_depth[-1].limit_p50_ms - by_depth[0].limit_p50_ms) / levels
    print(
        f"No statement: gateway {by_depth[0].gateway_p50_ms:.2f} ms, limit {by_depth[0].limit_p50_ms:.2f} ms."
        f" Each level adds {gateway:.2f} ms to the gateway and {limit:.2f} ms to the limit ({gateway / limit:.2f}x), on average over {levels}."
    )


async def _throughput_with_workers(args: argparse.Namespace, token: str, workers: int, environment: dict[str, str], log: Path) -> float:
    port = free_port()
    command = [PYTHON, "-m", "graph", "serve", "--workers", str(workers)]
    log.write_bytes(b"")
    with running(command, port, {**environment, "LOG_LEVEL": "INFO"}, log=log):
        # The socket accepts before every worker has started; connections opened earlier all go to the first.
        await eventually(lambda: _started(log, workers), within=60)
        request = graphql_request(token, queries.FLOW_PAGE, {"flows": 100})
        await measure_latencies([(port, request)], count=20)  # warm up
        return round(await measure_throughput(port, request, concurrency=16, seconds=args.seconds, ramp=0.01))


async def _started(log: Path, workers: int) -> bool:
    """Whether `workers` worker processes have logged that their startup is complete."""
    return log.read_text().count("Application startup complete") >= workers


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m tests.bench", description=__doc__)
    parser.add_argument("--flows", type=int, default=200)
    parser.add_argument("--records", type=int, default=500)
    parser.add_argument("--count", type=int, default=300, help="timed requests per latency figure")
    parser.add_argument("--seconds", type=float, default=3.0, help="duration of each throughput run")
    parser.add_argument("--peers", action="store_true", help="first serve PostGraphile v4 and v5 on the same data and compare (tests/bench/peers)")
    parser.add_argument("--platform", action="store_true", help="then a record page on the platform's schema without and with its indexes")
    args = parser.parse_args()

    tenant = seeded(flows=args.flows, records=args.records)
    database, token, environment = tenant.database, tenant.token, tenant.environment
    gateway_port, limit_port = free_port(), free_port()
    limit_command = [PYTHON, "-m", "uvicorn", "tests.bench.raw_app:app", "--port", str(limit_port), *UVICORN_OPTIONS]
    with running(GATEWAY, gateway_port, environment) as gateway, running(limit_command, limit_port, environment):
        peers = {"peers": compare_peers(database, gateway_port, limit_port, token, count=args.count, seconds=args.seconds)} if args.peers else {}
        results = asyncio.run(_run(args, gateway_port, limit_port, token))
        peak_rss = round(peak_rss_mb(gateway.pid), 1)
    print(f"\nGateway peak RSS (1 worker, after all runs): {peak_rss} MiB")
    log = ROOT / ".bench" / "workers.log"
    log.parent.mkdir(exist_ok=True)
    scaling = {workers: asyncio.run(_throughput_with_workers(args, token, workers, environment, log)) for workers in (1, 2)}
    print(f"Throughput of (c) at concurrency 16 by worker processes: {scaling} requests/s")
    platform = {"platform_indexes": measure_platform_indexes()} if args.platform else {}

    out = ROOT / ".bench" / "results.json"
    out.parent.mkdir(exist_ok=True)
    serializable = {key: [asdict(row) for row in rows] for key, rows in results.items()}
    out.write_text(json.dumps({**serializable, "peak_rss_mb": peak_rss, "throughput_by_workers": scaling, **peers, **platform}, indent=2))
    print(f"Results written to {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
