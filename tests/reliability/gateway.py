"""The gateway as a real process (`python -m graph serve`) over the tests' own cluster, and a lock to stall it."""

from __future__ import annotations

import subprocess
from collections.abc import AsyncIterator, Collection, Iterator
from contextlib import asynccontextmanager, contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

import asyncpg

from db.settings import DatabaseSettings
from db.tables import master_flows
from graph.settings import DEVELOPMENT_JWT_SECRET
from tests.bench.servers import PYTHON, eventually, free_port, gateway_sessions, running

__all__ = ["Gateway", "blocked_backend", "locked_flows", "serving"]


@dataclass(frozen=True)
class Gateway:
    port: int
    process: subprocess.Popen[bytes]

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


@contextmanager
def serving(database: DatabaseSettings, log: Path, *, workers: int | None = 1, **env: str) -> Iterator[Gateway]:
    """`python -m graph serve` on `database` until the block ends (then SIGTERM); `env` adds settings.

    `workers=None` passes no `--workers`, so WEB_CONCURRENCY decides.  Tokens
    of the development secret are valid.  Returns once the port accepts
    connections, which may be before the database is reachable.
    """
    assert database.url is not None, "the gateway must not start the embedded server"
    command = [PYTHON, "-m", "graph", "serve", *(["--workers", str(workers)] if workers else [])]
    settings = {
        "DATABASE_URL": database.url,
        "DB_SCHEMA": database.schema_name,
        "HOST": "127.0.0.1",
        "JWT_SECRET": DEVELOPMENT_JWT_SECRET,
        "FLOWGATE_ENV": "development",
        "WEB_CONCURRENCY": "1",
        **env,
    }
    port = free_port()
    with running(command, port, settings, log=log) as process:
        yield Gateway(port, process)


@asynccontextmanager
async def locked_flows(admin: asyncpg.Connection, database: DatabaseSettings) -> AsyncIterator[None]:
    """Hold an exclusive lock on the master flows table, so that reading it blocks, until the block ends."""
    transaction = admin.transaction()
    await transaction.start()
    await admin.execute(f"LOCK TABLE {database.schema_name}.{master_flows.name} IN ACCESS EXCLUSIVE MODE")
    try:
        yield
    finally:
        with suppress(asyncpg.PostgresError, asyncpg.InterfaceError, OSError):  # the test may have crashed the server
            await transaction.rollback()


async def blocked_backend(admin: asyncpg.Connection, gateway_pids: Collection[int]) -> int:
    """The server process of a session of the gateway (processes `gateway_pids`) that waits for a lock, within 5 s."""
    backends: list[int] = []

    async def found() -> bool:
        sessions = await gateway_sessions(admin, gateway_pids)
        backends[:] = [row["pid"] for row in sessions if row["wait_event_type"] == "Lock"]
        return bool(backends)

    await eventually(found, within=5)
    return backends[0]
