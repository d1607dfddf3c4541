"""Overload: heavy queries take turns in the bulkhead, so a flood of them cannot starve the cheap ones.

(An exhausted pool and the request timeout are in `test_database_errors`,
the bulkhead's own rules in `tests/graph/guards/test_bulkhead.py`.)
"""

from __future__ import annotations

import asyncio
import statistics
import uuid

from db.settings import DatabaseSettings
from tests.bench import queries
from tests.bench.load import Sample, generate_load, stop_after
from tests.bench.queries import graphql_request
from tests.reliability.conftest import BENCH_FLOWS, BENCH_RECORDS, FLOW
from tests.reliability.gateway import serving

FLOOD_CONCURRENCY = 16
FLOOD_SECONDS = 4.0
CHEAP_SECONDS = 2.0  # the slowest cheap query during the flood (measured: about 0.5 s on 2 cores)


async def test_cheap_queries_stay_fast_under_a_flood_of_heavy_ones(database: DatabaseSettings, token: str, tmp_path):
    variables = {"flows": BENCH_FLOWS, "records": BENCH_RECORDS}  # 20,040 nodes, a 6 MB response
    heavy = graphql_request(token, queries.FLOW_PAGE_WITH_RECORDS, variables)
    cheap = graphql_request(token, FLOW, {"flowId": str(uuid.uuid4())})
    flood: list[Sample] = []
    cheap_samples: list[Sample] = []
    with serving(database, tmp_path / "serve.log") as gateway:
        stop = stop_after(FLOOD_SECONDS)
        await asyncio.gather(
            generate_load(gateway.port, [heavy], concurrency=FLOOD_CONCURRENCY, stop=stop, record=flood.append),
            generate_load(gateway.port, [cheap], concurrency=1, stop=stop, record=cheap_samples.append),
        )

    latencies = [sample.seconds for sample in cheap_samples]
    print(
        f"\n{len(flood)} heavy queries at concurrency {FLOOD_CONCURRENCY}; {len(latencies)} cheap ones took"
        f" {statistics.median(latencies) * 1000:.0f} ms (median), {max(latencies) * 1000:.0f} ms (max)"
    )
    assert {sample.status for sample in flood} == {200}
    assert {code for sample in flood for code in sample.codes} <= {"SERVICE_UNAVAILABLE"}
    assert [sample.codes for sample in cheap_samples] == [()] * len(cheap_samples)
    assert {sample.status for sample in cheap_samples} == {200}
    assert max(latencies) < CHEAP_SECONDS
