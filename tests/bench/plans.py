"""The plans of the statements the benchmark measures: EXPLAIN of each, as the gateway sends it.

The headline queries run in process through the real app, over a reader that
asks PostgreSQL for the plan of every statement before running it, with the
same parameters.  A record page must read the record-page index's range
(`ix_flowgate_raw_records_page`, keyed by `(data_import_id, row_number, id)`):
a bitmap heap scan over every record of each import, then a sort, is what a
planner without statistics picks after a bulk load, at 15 times the cost.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import asyncpg
import httpx

from db.indexes import GATEWAY_INDEXES
from db.reader import CompiledQuery, Reader
from graph.settings import Settings
from tests.conftest import client_for

__all__ = ["Plan", "RecordPageNotIndexed", "check_record_pages", "plans_of"]

RECORD_PAGE_INDEX = GATEWAY_INDEXES[0].name
assert GATEWAY_INDEXES[0].table == "raw_import_records"


class RecordPageNotIndexed(AssertionError):
    """A record page's plan reads raw_import_records other than by an index scan of the record-page index."""


@dataclass(frozen=True)
class Plan:
    """A statement's plan: the relations it reads and how (`Index Scan using ix_… on t`, `Seq Scan on t`, …)."""

    reads: tuple[str, ...]

    @property
    def reads_records(self) -> bool:
        return any(" on raw_import_records" in read for read in self.reads)


def _reads(node: dict[str, Any]) -> Iterator[str]:
    if "Relation Name" in node:
        index = f" using {node['Index Name']}" if "Index Name" in node else ""
        yield f"{node['Node Type']}{index} on {node['Relation Name']}"
    for child in node.get("Plans", ()):
        yield from _reads(child)


class _ExplainingReader(Reader):
    """A reader that records the plan of each statement before running it."""

    def __init__(self, reader: Reader) -> None:
        super().__init__(reader.pool, schema=reader.schema, acquire_timeout=reader.acquire_timeout, transaction=reader.transaction, observers=())
        self.plans: list[Plan] = []

    async def fetch(self, query: CompiledQuery, **parameters: Any) -> Sequence[asyncpg.Record]:
        sql = query.sql(self.schema)
        async with self.pool.acquire() as connection:
            explained = await connection.fetchval(f"EXPLAIN (FORMAT JSON) {sql}", *query.arguments(parameters))
        root = json.loads(explained)[0]["Plan"]
        self.plans.append(Plan(tuple(_reads(root))))
        return await super().fetch(query, **parameters)


async def plans_of(settings: Settings, requests: dict[str, tuple[str, dict[str, Any]]], token: str) -> dict[str, list[Plan]]:
    """For each named (query, variables), the plans of the statements the gateway sends for it."""
    logging.getLogger("httpx").setLevel(logging.WARNING)  # one line per request otherwise
    reader = await Reader.connect(settings.database)
    explaining = _ExplainingReader(reader)
    try:
        plans: dict[str, list[Plan]] = {}
        async with client_for(settings, explaining) as http:
            for name, (query, variables) in requests.items():
                explaining.plans = []
                response = await http.post("/graphql", json={"query": query, "variables": variables}, headers={"Authorization": f"Bearer {token}"})
                _raise_for_errors(response)
                plans[name] = explaining.plans
    finally:
        await reader.close()
    return plans


def _raise_for_errors(response: httpx.Response) -> None:
    body = response.json()
    if response.status_code != 200 or "errors" in body:
        raise RuntimeError(f"HTTP {response.status_code}: {response.text[:300]}")


def check_record_pages(plans: dict[str, list[Plan]]) -> None:
    """Raise `RecordPageNotIndexed` unless every statement reading records scans the record-page index."""
    for name, statements in plans.items():
        for plan in statements:
            if plan.reads_records and f"Index Scan using {RECORD_PAGE_INDEX} on raw_import_records" not in plan.reads:
                raise RecordPageNotIndexed(f"{name}: the record page is read by {', '.join(plan.reads)}, not by {RECORD_PAGE_INDEX}.")
