"""A short soak (`make soak` runs five minutes): no errors, and the pool neither overflows nor outlives the gateway."""

from __future__ import annotations

import asyncpg

from db.settings import DatabaseSettings
from tests.bench.queries import first_flow_id
from tests.bench.servers import sessions_end
from tests.reliability.gateway import serving
from tests.soak.run import headline_requests, soak


async def test_a_short_soak_has_no_errors_and_leaves_no_sessions(database: DatabaseSettings, admin: asyncpg.Connection, token: str, tmp_path):
    with serving(database, tmp_path / "serve.log") as gateway:
        requests = headline_requests(token, await first_flow_id(gateway.port, token))
        report = await soak(gateway.port, gateway.process.pid, requests, admin, seconds=5, concurrency=8, warmup=1)
    ended = await sessions_end(admin, report.pids, within=5)

    print(f"\nshort soak: {report.summary()}")
    assert report.requests > 0
    assert report.errors == 0
    assert 0 < report.sessions <= database.pool_size
    assert ended
