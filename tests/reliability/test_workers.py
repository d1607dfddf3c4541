"""`python -m graph serve --workers N` (or WEB_CONCURRENCY=N): N processes serve one database, and count as one."""

from __future__ import annotations

import asyncio
import uuid

import asyncpg
import httpx
import pytest

from db.seed.bench import BENCH_TENANT
from db.settings import DatabaseSettings
from graph.settings import Settings
from tests.bench.servers import child_pids, eventually, gateway_sessions, process_tree
from tests.conftest import GraphQLClient
from tests.reliability.conftest import FLOW
from tests.reliability.gateway import serving

SERVED_SECONDS = 20.0  # until both workers have answered


@pytest.mark.parametrize(("workers", "env"), [(2, {}), (None, {"WEB_CONCURRENCY": "2"})], ids=["--workers 2", "WEB_CONCURRENCY=2"])
async def test_two_worker_processes_serve_one_database(
    database: DatabaseSettings, admin: asyncpg.Connection, tmp_path, workers: int | None, env: dict[str, str]
):
    bodies: list[dict] = []
    serving_pids: set[int] = set()
    with serving(database, tmp_path / "serve.log", workers=workers, **env) as gateway:
        # A new connection per request, so that the kernel hands requests to either worker.
        limits = httpx.Limits(max_keepalive_connections=0)
        async with httpx.AsyncClient(base_url=gateway.url, timeout=5, limits=limits) as http:
            client = GraphQLClient(http, Settings())

            async def both_served() -> bool:
                requests = [client.query(FLOW, BENCH_TENANT, {"flowId": str(uuid.uuid4())}) for _ in range(8)]
                bodies.extend(await asyncio.gather(*requests))
                sessions = await gateway_sessions(admin, process_tree(gateway.process.pid))
                serving_pids.update(int(row["application_name"].split(":")[1]) for row in sessions)
                return len(serving_pids) == 2

            await eventually(both_served, within=SERVED_SECONDS)
            metrics = (await http.get("/metrics")).text
        workers_started = set(child_pids(gateway.process.pid))

    assert bodies == [{"data": {"masterFlow": None}}] * len(bodies)
    assert serving_pids <= workers_started
    assert f"gateway_sql_statements_total {float(len(bodies))}" in metrics.splitlines()
