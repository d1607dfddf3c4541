"""The bench tenant, seeded, and what a server needs to serve it."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from db.engine import database_url
from db.migrate import migrate
from db.seed.bench import BENCH_TENANT, seed_bench
from db.settings import DatabaseSettings
from graph.guards.auth import issue_token
from graph.settings import Settings
from tests.bench.servers import PYTHON

__all__ = ["GATEWAY", "BenchTenant", "seeded"]

GATEWAY = [PYTHON, "-m", "graph", "serve", "--workers", "1"]
"""The gateway as the bench serves it: one uvicorn worker."""


@dataclass(frozen=True)
class BenchTenant:
    """The database it lives in, a bearer token of the tenant, and the environment of the servers that serve it."""

    database: DatabaseSettings
    token: str
    environment: dict[str, str]


def seeded(*, flows: int = 200, records: int = 500) -> BenchTenant:
    """The bench tenant in the database of `DATABASE_URL` (or the embedded one), migrated and seeded; prints what was loaded.

    The servers get the database's URL, as in production: none of them starts (or imports) the embedded server.
    """
    database = DatabaseSettings.from_env()
    migrate(database)
    print(asyncio.run(seed_bench(database, flows=flows, records=records)))
    token = issue_token(Settings.from_env(), BENCH_TENANT)
    return BenchTenant(database, token, {"HOST": "127.0.0.1", "DATABASE_URL": database_url(database)})
