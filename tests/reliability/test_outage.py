"""A served gateway through database outages: it stays up, answers every request in bounded time, and recovers.

The bounds asserted here (and reported in README's Reliability section)
are those measured on the 2-core CI machine, with generous slack.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from typing import Literal

import httpx
import pytest

from db.seed.bench import BENCH_TENANT
from db.settings import DatabaseSettings
from graph.settings import Settings
from tests.bench import queries
from tests.bench.load import Sample, generate_load
from tests.bench.queries import graphql_request
from tests.bench.servers import eventually
from tests.conftest import GraphQLClient
from tests.reliability.conftest import FLOW
from tests.reliability.gateway import serving
from tests.reliability.postgres import TemporaryPostgres

ANSWER_SECONDS = 3.0  # every request is answered within this, during an outage too
RECOVERY_SECONDS = 5.0  # requests succeed again within this once the database is back
OUTAGE_SECONDS = 2.0


async def statuses(http: httpx.AsyncClient) -> list[int]:
    """The HTTP statuses of /healthz and /readyz."""
    return [(await http.get(path)).status_code for path in ("/healthz", "/readyz")]


async def ready(http: httpx.AsyncClient) -> bool:
    return (await http.get("/readyz")).status_code == 200


def succeeded(sample: Sample) -> bool:
    return sample.status == 200 and not sample.codes


@pytest.mark.parametrize("mode", ["fast", "immediate"])
async def test_an_outage_under_load_is_answered_with_service_unavailable_then_recovers(
    database: DatabaseSettings, postgres: TemporaryPostgres, token: str, tmp_path, mode: Literal["fast", "immediate"]
):
    requests = [
        graphql_request(token, queries.FLOW_PAGE_WITH_RECORDS, {"flows": 10, "records": 10}),
        graphql_request(token, FLOW, {"flowId": str(uuid.uuid4())}),
    ]
    samples: list[Sample] = []
    stop = asyncio.Event()
    with serving(database, tmp_path / "serve.log") as gateway:
        async with httpx.AsyncClient(base_url=gateway.url, timeout=ANSWER_SECONDS) as http:
            await eventually(lambda: ready(http), within=RECOVERY_SECONDS)
            load = asyncio.create_task(generate_load(gateway.port, requests, concurrency=8, stop=stop, record=samples.append, timeout=ANSWER_SECONDS))
            await asyncio.sleep(1.0)
            await asyncio.to_thread(postgres.stop, mode)
            down = time.monotonic()
            await asyncio.sleep(OUTAGE_SECONDS)
            during = await statuses(http)
            restarting = time.monotonic()
            await asyncio.to_thread(postgres.start)
            up = time.monotonic()
            await eventually(lambda: ready(http), within=RECOVERY_SECONDS)
            await asyncio.sleep(1.0)
            stop.set()
            await load
            after = await statuses(http)
        alive = gateway.process.poll() is None

    outage = [s for s in samples if down <= s.started < restarting]
    recovered = min(s.started for s in samples if s.started >= up and succeeded(s))
    print(
        f"\n{mode} stop: {len(samples)} requests, {len(outage)} during the outage, answered within"
        f" {max(s.seconds for s in outage) * 1000:.0f} ms there; first success {(recovered - up) * 1000:.0f} ms"
        " after the database was back"
    )
    assert alive
    assert {s.status for s in samples} == {200}
    assert {code for s in samples for code in s.codes} == {"SERVICE_UNAVAILABLE"}
    assert max(s.seconds for s in samples) < ANSWER_SECONDS
    assert outage and all(s.codes for s in outage)
    assert recovered - up < RECOVERY_SECONDS
    assert all(succeeded(s) for s in samples if s.started >= recovered)
    assert during == [200, 503]
    assert after == [200, 200]


async def test_a_gateway_started_while_the_database_is_down_serves_once_it_is_back(database: DatabaseSettings, postgres: TemporaryPostgres, tmp_path):
    postgres.stop()
    with serving(database, tmp_path / "serve.log") as gateway:
        async with httpx.AsyncClient(base_url=gateway.url, timeout=ANSWER_SECONDS) as http:
            client = GraphQLClient(http, Settings())
            variables = {"flowId": str(uuid.uuid4())}
            during = await statuses(http)
            refused = await client.query(FLOW, BENCH_TENANT, variables)
            await asyncio.to_thread(postgres.start)
            recovery = await eventually(lambda: ready(http), within=RECOVERY_SECONDS)
            served = await client.query(FLOW, BENCH_TENANT, variables)

    print(f"\nready {recovery * 1000:.0f} ms after the database was back")
    assert during == [200, 503]
    assert [error["extensions"]["code"] for error in refused["errors"]] == ["SERVICE_UNAVAILABLE"]
    assert served == {"data": {"masterFlow": None}}
