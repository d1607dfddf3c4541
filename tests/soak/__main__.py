"""`make soak`: the headline queries for minutes at high concurrency; fails unless errors, memory and connections stay flat.

    python -m tests.soak [--seconds 300] [--concurrency 32] [--workers 1] [--flows 200] [--records 500]

Seeds the benchmark tenant (as `make bench` does) into the configured
database, serves the gateway, and runs `tests.soak.run.soak`.  Targets:
no errors; resident memory at the end within RSS_GROWTH_ALLOWED of that
after the warm-up; at most workers × DB_POOL_SIZE pool sessions during the
load, and none once the gateway has stopped.  The figures also go to
`.bench/soak.json`.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys

import asyncpg

from db.engine import database_url, plain_url
from db.migrate import migrate
from db.seed.bench import BENCH_TENANT, seed_bench
from db.settings import DatabaseSettings
from graph.guards.auth import issue_token
from graph.settings import Settings
from tests.bench.queries import first_flow_id
from tests.bench.servers import PYTHON, ROOT, free_port, running, sessions_end
from tests.soak.run import SoakReport, headline_requests, soak

RSS_GROWTH_ALLOWED = 0.10
WARMUP_SECONDS = 10.0
SESSIONS_END_SECONDS = 5.0


async def _soak(args: argparse.Namespace, database: DatabaseSettings) -> tuple[SoakReport, bool]:
    """The run's report, and whether the pool's sessions ended once the gateway stopped."""
    token = issue_token(Settings.from_env(), BENCH_TENANT)
    port = free_port()
    command = [PYTHON, "-m", "graph", "serve", "--workers", str(args.workers)]
    connection = await asyncpg.connect(plain_url(database_url(database)))
    try:
        with running(command, port, {"HOST": "127.0.0.1"}, log=ROOT / ".bench" / "soak-serve.log") as gateway:
            requests = headline_requests(token, await first_flow_id(port, token))
            warmup = min(WARMUP_SECONDS, args.seconds / 10)
            report = await soak(port, gateway.pid, requests, connection, seconds=args.seconds, concurrency=args.concurrency, warmup=warmup)
        return report, await sessions_end(connection, report.pids, within=SESSIONS_END_SECONDS)
    finally:
        await connection.close()


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m tests.soak", description=__doc__)
    parser.add_argument("--seconds", type=float, default=300.0)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--flows", type=int, default=200)
    parser.add_argument("--records", type=int, default=500)
    args = parser.parse_args()

    database = DatabaseSettings.from_env()
    migrate(database)
    print(asyncio.run(seed_bench(database, flows=args.flows, records=args.records)))
    (ROOT / ".bench").mkdir(exist_ok=True)
    report, sessions_ended = asyncio.run(_soak(args, database))
    figures = {
        **report.summary(),
        "rss_mb_by_tenth": [round(mb, 1) for mb in report.rss_mb],
        "pool_sessions_ended_after_stop": sessions_ended,
    }
    misses = [
        f"{report.errors} errors" if report.errors else "",
        "memory grew" if report.rss_mb[-1] > report.rss_mb[0] * (1 + RSS_GROWTH_ALLOWED) else "",
        "too many pool sessions" if report.sessions > args.workers * database.pool_size else "",
        "" if sessions_ended else "pool sessions left after stop",
    ]
    for name, value in figures.items():
        print(f"{name:>30}: {value}")
    out = ROOT / ".bench" / "soak.json"
    out.write_text(json.dumps(figures, indent=2))
    failed = [miss for miss in misses if miss]
    print(f"soak {'FAILED: ' + ', '.join(failed) if failed else 'passed'} (figures in {out.relative_to(ROOT)})")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
