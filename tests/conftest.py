"""Fixtures: a real PostgreSQL, the real ASGI app, a served gateway, and helpers to build data and query.

The database is `DATABASE_URL` when set, else the embedded server.  Every
test that touches the database runs twice, once per `schema_kind`:

- `flowgate`: Flowgate's own migration, in schema `flowgate_test`, read by
  the owner;
- `platform`: the platform's real tables with its row-level security
  (`tests/platform_schema`), in `flowgate_test_platform`, read by a login
  role that only `python -m db grants` gave access.

A test (or module) marked `flowgate_schema_only` runs on the first alone: it
tests Flowgate's own migration or seed data.  Every test starts from empty
tables; the demo data is never touched.
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import uuid
from collections.abc import AsyncIterator, Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import Table, text
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.applications import Starlette
from starlette.types import ASGIApp, Receive, Scope, Send

from db.engine import create_admin_engine, database_url
from db.migrate import migrate
from db.reader import Reader
from db.seed.rows import insert_rows
from db.settings import DatabaseSettings, changed
from db.tenancy import Tenant
from graph.guards.auth import issue_token
from graph.settings import Settings
from graph.transport.app import create_app
from tests import platform_schema

ROOT = Path(__file__).resolve().parents[1]
# Separate schemas let test runs share one PostgreSQL without truncating each other's rows.
TEST_SCHEMA = os.environ.get("FLOWGATE_TEST_SCHEMA", "flowgate_test")
STARTUP_TIMEOUT_SECONDS = 20
SHUTDOWN_TIMEOUT_SECONDS = 10


SCHEMA_KINDS = ("flowgate", "platform")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "flowgate_schema_only: runs on Flowgate's own migration, not the platform's schema")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Deselect the platform-schema run of tests marked `flowgate_schema_only`."""
    kept, dropped = [], []
    for item in items:
        kind = getattr(item, "callspec", None) and item.callspec.params.get("schema_kind")
        (dropped if kind == "platform" and item.get_closest_marker("flowgate_schema_only") else kept).append(item)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = kept


@pytest.fixture(scope="session", params=SCHEMA_KINDS)
def schema_kind(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture(scope="session")
def admin_database(schema_kind: str) -> DatabaseSettings:
    """The database as its owner (a superuser) sees it: for building tables and writing test data."""
    schema = TEST_SCHEMA if schema_kind == "flowgate" else f"{TEST_SCHEMA}_platform"
    return changed(DatabaseSettings.from_env(), schema_name=schema)


@pytest.fixture(scope="session")
async def admin_engine(admin_database: DatabaseSettings, schema_kind: str) -> AsyncIterator[AsyncEngine]:
    engine = create_admin_engine(admin_database)
    if schema_kind == "platform":
        async with engine.begin() as connection:
            await platform_schema.build(connection, schema=admin_database.schema_name, role=_reader_role())
    yield engine
    await engine.dispose()


def _reader_role() -> str:
    return f"{TEST_SCHEMA}_reader"


@pytest.fixture(scope="session")
def settings(schema_kind: str, admin_database: DatabaseSettings, admin_engine: AsyncEngine) -> Settings:
    """The gateway's settings: the owner on Flowgate's migration, the granted read-only role on the platform's schema."""
    if schema_kind == "flowgate":
        # In a thread of its own: Alembic runs its own event loop, and this may be set up from inside one.
        with ThreadPoolExecutor(max_workers=1) as thread:
            thread.submit(migrate, admin_database).result()
        return Settings(database=admin_database)
    url = platform_schema.reader_url(database_url(admin_database), _reader_role())
    return Settings(database=changed(admin_database, url=url))


@dataclass
class BarePlatform:
    """A platform schema as a DBA has it after `db grants` alone: no triggers, no gateway indexes."""

    engine: AsyncEngine  # its owner's, to break it further
    database: DatabaseSettings  # the granted role's, for the gateway
    role: str

    async def execute(self, sql: str) -> None:
        """Run `sql` as its owner, as psql would: several statements, transactions of their own included."""
        async with self.engine.connect() as connection:
            await (await connection.get_raw_connection()).driver_connection.execute(sql)


@pytest.fixture
async def bare_platform() -> AsyncIterator[BarePlatform]:
    """A fresh `BarePlatform` in schema `flowgate_test_bare`; the same for both schema kinds, so it runs once."""
    owner = changed(DatabaseSettings.from_env(), schema_name=f"{TEST_SCHEMA}_bare")
    role = f"{owner.schema_name}_reader"
    engine = create_admin_engine(owner)
    async with engine.begin() as connection:
        await platform_schema.build(connection, schema=owner.schema_name, role=role, triggers=False)
    yield BarePlatform(engine, changed(owner, url=platform_schema.reader_url(database_url(owner), role)), role)
    await engine.dispose()


PRODUCTION_SECRETS = {"jwt_secret": "a-production-jwt-secret-of-32-bytes-or-more", "cursor_secret": "a-production-cursor-secret-of-32-bytes"}


def in_production(settings: Settings, **changes: Any) -> Settings:
    """`settings` as production requires them: `FLOWGATE_ENV=production`, secrets of its own, and a `DATABASE_URL`."""
    database = changed(settings.database, url=database_url(settings.database))
    return changed(settings, environment="production", database=database, **{**PRODUCTION_SECRETS, **changes})


@pytest.fixture(scope="session")
async def reader(settings: Settings) -> AsyncIterator[Reader]:
    reader = await Reader.connect(settings.database)
    yield reader
    await reader.close()


@pytest.fixture(autouse=True)
async def empty_tables(request: pytest.FixtureRequest) -> None:
    """Every table of the test's schema emptied first, when the test touches the database."""
    if "admin_engine" not in request.fixturenames and "settings" not in request.fixturenames:
        return
    request.getfixturevalue("settings")  # Flowgate's tables exist once migrated
    admin_engine: AsyncEngine = request.getfixturevalue("admin_engine")
    schema = request.getfixturevalue("admin_database").schema_name
    async with admin_engine.begin() as connection:
        names = (await connection.execute(text("SELECT tablename FROM pg_tables WHERE schemaname = :s"), {"s": schema})).scalars()
        tables = ", ".join(f"{schema}.{name}" for name in names if name != "alembic_version")
        if tables:
            await connection.execute(text(f"TRUNCATE {tables} CASCADE"))
        if request.getfixturevalue("schema_kind") == "platform":
            await connection.execute(
                text(f"INSERT INTO {schema}.users (id, email) VALUES (:id, 'importer@example.com')"),
                {"id": platform_schema.PLATFORM_USER_ID},
            )


@pytest.fixture
def tenant() -> Tenant:
    return Tenant(uuid.uuid4(), uuid.uuid4())


@pytest.fixture
def other_tenant() -> Tenant:
    return Tenant(uuid.uuid4(), uuid.uuid4())


class Database:
    """Inserts rows for a test, in foreign-key order, through the writable engine.

    On the platform's schema, rows go through its real tables
    (`platform_schema.PlatformRows`), with what they require besides.
    """

    def __init__(self, engine: AsyncEngine, platform: platform_schema.PlatformRows | None) -> None:
        self.engine = engine
        self.platform = platform

    async def insert(self, table: Table, rows: Iterable[dict[str, Any]]) -> None:
        async with self.engine.begin() as connection:
            if self.platform is None:
                await insert_rows(connection, table, rows)
            else:
                await self.platform.insert(connection, table.name, rows)

    async def execute(self, sql: str, **parameters: Any) -> None:
        async with self.engine.begin() as connection:
            await connection.execute(text(sql), parameters)


@pytest.fixture(scope="session")
def _platform_rows(schema_kind: str, admin_database: DatabaseSettings) -> platform_schema.PlatformRows | None:
    return platform_schema.PlatformRows(admin_database.schema_name) if schema_kind == "platform" else None


@pytest.fixture
def db(admin_engine: AsyncEngine, _platform_rows: platform_schema.PlatformRows | None) -> Database:
    return Database(admin_engine, _platform_rows)


@asynccontextmanager
async def lifespan_running(app: Starlette) -> AsyncIterator[ASGIApp]:
    """`app` with its lifespan started, as an ASGI server runs it: every request's scope gets the lifespan's state."""
    async with app.router.lifespan_context(app) as state:

        async def serve(scope: Scope, receive: Receive, send: Send) -> None:
            await app({**scope, "state": dict(state or {})}, receive, send)

        yield serve


@pytest.fixture(scope="session")
async def app(settings: Settings, reader: Reader) -> AsyncIterator[ASGIApp]:
    async with lifespan_running(create_app(settings, reader=reader)) as served:
        yield served


class GraphQLClient:
    """Posts GraphQL to the ASGI app as a given tenant."""

    def __init__(self, http: httpx.AsyncClient, settings: Settings) -> None:
        self.http = http
        self.settings = settings

    def headers(self, tenant: Tenant) -> dict[str, str]:
        return {"Authorization": f"Bearer {issue_token(self.settings, tenant)}"}

    async def post(self, query: str, tenant: Tenant | None, variables: dict[str, Any] | None = None, **kwargs: Any) -> httpx.Response:
        headers = self.headers(tenant) if tenant else {}
        headers.update(kwargs.pop("headers", {}))
        return await self.http.post("/graphql", json={"query": query, "variables": variables}, headers=headers, **kwargs)

    async def query(self, query: str, tenant: Tenant, variables: dict[str, Any] | None = None) -> dict[str, Any]:
        """The response body of a request that must succeed at the HTTP level."""
        response = await self.post(query, tenant, variables)
        assert response.status_code == 200, response.text
        return response.json()

    async def data(self, query: str, tenant: Tenant, variables: dict[str, Any] | None = None) -> dict[str, Any]:
        """The `data` of a response that must have no errors."""
        body = await self.query(query, tenant, variables)
        assert "errors" not in body, body
        return body["data"]


@asynccontextmanager
async def client_for(settings: Settings, reader: Reader) -> AsyncIterator[httpx.AsyncClient]:
    """An HTTP client on a new app built with `settings` over `reader` (which the app does not close)."""
    async with (
        lifespan_running(create_app(settings, reader=reader)) as app,
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://flowgate.test") as client,
    ):
        yield client


@pytest.fixture
async def http(app: ASGIApp) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://flowgate.test") as client:
        yield client


@pytest.fixture
def graphql(http: httpx.AsyncClient, settings: Settings) -> GraphQLClient:
    return GraphQLClient(http, settings)


# A served gateway: `python -m graph serve` as a real process


def command_env(**overrides: str) -> dict[str, str]:
    """The test process's environment (so `DATABASE_URL` is shared) without a custom JWT secret, plus `overrides`."""
    env = {name: value for name, value in os.environ.items() if name not in ("JWT_SECRET", "FLOWGATE_ENV")}
    return {**env, **overrides}


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def stop(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM, then SIGKILL if the process has not exited in time."""
    if process.poll() is not None:
        return
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=SHUTDOWN_TIMEOUT_SECONDS)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=SHUTDOWN_TIMEOUT_SECONDS)


async def wait_until_healthy(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    """Returns once `url` answers `/healthz`; fails if the process exits or the startup timeout passes."""
    async with asyncio.timeout(STARTUP_TIMEOUT_SECONDS), httpx.AsyncClient(base_url=url, timeout=1) as client:
        while True:
            assert process.poll() is None, f"the server exited early:\n{log.read_text()}"
            try:
                if (await client.get("/healthz")).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.1)


@pytest.fixture(scope="session")
async def live_server(settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[str]:
    """The base URL of `python -m graph serve` (one uvicorn worker) on a free port, reading the test schema.

    Tokens from `issue_token(settings, …)` are valid there; its output is in `serve.log` in a temporary directory.
    """
    async with serving(settings, tmp_path_factory.mktemp("live_server")) as url:
        yield url


# More served gateways, and npm packages for interoperability tests


@asynccontextmanager
async def serving(settings: Settings, log_dir: Path, **env: str) -> AsyncIterator[str]:
    """The base URL of `python -m graph serve` (one worker) for `settings`' schema and JWT secret, with `env` on top.

    The server stops when the block ends; its output is in `log_dir / "serve.log"`.
    """
    port = free_port()
    log = log_dir / "serve.log"
    database = {"DATABASE_URL": settings.database.url} if settings.database.url else {}
    environment = command_env(
        HOST="127.0.0.1",
        PORT=str(port),
        DB_SCHEMA=settings.database.schema_name,
        JWT_SECRET=settings.jwt_secret,
        **{**database, **env},
    )
    with log.open("wb") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "graph", "serve", "--workers", "1"],
            cwd=ROOT,
            env=environment,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        await wait_until_healthy(url, process, log)
        yield url
    finally:
        stop(process)


NPM_PREFIX = ROOT / ".cache" / "npm"
NPM_INSTALL_TIMEOUT_SECONDS = 180


def _npm_installed_major(name: str) -> int | None:
    manifest = NPM_PREFIX / "node_modules" / name / "package.json"
    if not manifest.is_file():
        return None
    return int(json.loads(manifest.read_text())["version"].split(".")[0])


def npm_packages(majors: Mapping[str, int]) -> Path:
    """The git-ignored npm prefix `.cache/npm`, holding each package of `majors` at its major version.

    Installs the packages that are missing or of another major version;
    fails the test, naming what it needs, without Node.js and npm on PATH.
    """
    npm = shutil.which("npm")
    if npm is None or shutil.which("node") is None:
        pytest.fail("This test needs Node.js 20+ with npm on PATH; install Node.js.")
    missing = [f"{name}@{major}" for name, major in majors.items() if _npm_installed_major(name) != major]
    if missing:
        NPM_PREFIX.mkdir(parents=True, exist_ok=True)
        result = subprocess.run(
            [npm, "install", "--no-audit", "--no-fund", "--prefix", str(NPM_PREFIX), *missing],
            capture_output=True,
            timeout=NPM_INSTALL_TIMEOUT_SECONDS,
            check=False,
        )
        if result.returncode != 0:
            pytest.fail(f"`npm install {' '.join(missing)}` failed:\n{result.stderr.decode()}")
    return NPM_PREFIX
