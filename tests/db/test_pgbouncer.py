"""Behind PgBouncer in transaction mode (Debian's pgbouncer, with its usual settings) with `DB_POOLER=pgbouncer`.

PgBouncer hands each transaction to whichever server connection is free, so
with more gateway connections than server connections, consecutive
statements of one gateway connection land on different server connections.
It refuses startup parameters other than a few (`search_path`,
`statement_timeout`, `default_transaction_read_only` among them), and in
1.18 keeps no prepared statement past a transaction.
"""

from __future__ import annotations

import asyncio
import subprocess
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from pathlib import Path

import asyncpg
import pytest
from sqlalchemy import func, insert, literal_column, select
from sqlalchemy.engine import make_url

from db.engine import database_url
from db.reader import CompiledQuery, Reader
from db.seed.rows import data_import_row, discovery_flow_row, master_flow_row, raw_record_row
from db.settings import DatabaseSettings, changed
from db.tables import data_imports, discovery_flows, master_flows, raw_import_records
from graph.settings import Settings
from tests.bench.servers import free_port
from tests.conftest import GraphQLClient, client_for
from tests.programs import debian_program, unprivileged_user

PGBOUNCER = Path("/usr/sbin/pgbouncer")
SERVER_CONNECTIONS = 2  # PgBouncer's connections to PostgreSQL, shared by the gateway's
GATEWAY_CONNECTIONS = 8
START_TIMEOUT_SECONDS = 10.0

FLOW_DETAIL = """
query ($id: UUID!) {
  masterFlow(flowId: $id) { name discovery { dataImport { name rawRecords(first: 5) { totalCount nodes { rowNumber rawData } } } } }
}
"""


def _config(directory: Path, upstream: str, port: int, users: list[str]) -> Path:
    """A PgBouncer configuration: transaction pooling of `upstream` as database `flowgate`, on 127.0.0.1:`port`."""
    url = make_url(upstream)
    host = url.host or url.query["host"]
    (directory / "users.txt").write_text("".join(f'"{user}" ""\n' for user in users))
    config = directory / "pgbouncer.ini"
    config.write_text(
        "[databases]\n"
        f"flowgate = host={host} port={url.port or 5432} dbname={url.database}\n"
        "[pgbouncer]\n"
        f"listen_addr = 127.0.0.1\nlisten_port = {port}\nunix_socket_dir =\n"
        f"auth_type = trust\nauth_file = {directory / 'users.txt'}\n"
        f"pool_mode = transaction\ndefault_pool_size = {SERVER_CONNECTIONS}\nmax_client_conn = 100\n"
    )
    directory.chmod(0o755)
    return config


@contextmanager
def _running(config: Path, owner_of: Path | None, log: Path) -> Iterator[subprocess.Popen[bytes]]:
    user = unprivileged_user(owner_of)
    command = [str(debian_program(PGBOUNCER, "pgbouncer")), *(["-u", user] if user else []), str(config)]
    with log.open("wb") as output:
        process = subprocess.Popen(command, stdout=output, stderr=subprocess.STDOUT)
    try:
        yield process
    finally:
        process.terminate()
        process.wait(timeout=START_TIMEOUT_SECONDS)


async def _until_listening(port: int, process: subprocess.Popen[bytes], log: Path) -> None:
    async with asyncio.timeout(START_TIMEOUT_SECONDS):
        while True:
            assert process.poll() is None, f"pgbouncer exited:\n{log.read_text()}"
            try:
                _, writer = await asyncio.open_connection("127.0.0.1", port)
                writer.close()
                return
            except OSError:
                await asyncio.sleep(0.05)


@pytest.fixture
async def bouncer(settings: Settings, tmp_path: Path) -> AsyncIterator[DatabaseSettings]:
    """The gateway's database settings through a PgBouncer of the test's own, with `DB_POOLER=pgbouncer`."""
    upstream = database_url(settings.database)
    url = make_url(upstream)
    socket_dir = Path(url.query["host"]) if "host" in url.query else None
    port, log = free_port(), tmp_path / "pgbouncer.log"
    config = _config(tmp_path, upstream, port, users=sorted({url.username or "postgres", "postgres"}))
    with _running(config, socket_dir, log) as process:
        await _until_listening(port, process, log)
        through = url.set(host="127.0.0.1", port=port, database="flowgate", query={}).render_as_string(hide_password=False)
        yield changed(settings.database, url=through, pooler="pgbouncer", pool_size=GATEWAY_CONNECTIONS)


@pytest.fixture
async def reader_through_bouncer(bouncer: DatabaseSettings) -> AsyncIterator[Reader]:
    reader = await Reader.connect(bouncer)
    yield reader
    await reader.close()


async def _flow(db, tenant, name: str) -> str:
    """A flow named `name` whose import has three records, each `{"flow": name}`."""
    flow, imported = master_flow_row(tenant, flow_name=name), data_import_row(tenant, import_name=name)
    await db.insert(master_flows, [flow])
    await db.insert(data_imports, [imported])
    await db.insert(discovery_flows, [discovery_flow_row(tenant, master_flow_id=flow["flow_id"], data_import_id=imported["id"])])
    records = [raw_record_row(tenant, data_import_id=imported["id"], row_number=n, raw_data={"flow": name}) for n in (1, 2, 3)]
    await db.insert(raw_import_records, records)
    return str(flow["flow_id"])


async def test_concurrent_requests_of_two_tenants_are_served_through_shared_server_connections(
    db, tenant, other_tenant, settings, reader_through_bouncer, bouncer
):
    ours, theirs = await _flow(db, tenant, "ours"), await _flow(db, other_tenant, "theirs")
    asks = [(tenant, ours, "ours"), (other_tenant, theirs, "theirs"), (tenant, theirs, None), (other_tenant, ours, None)] * 10

    async with client_for(changed(settings, database=bouncer), reader_through_bouncer) as http:
        client = GraphQLClient(http, settings)
        bodies = await asyncio.gather(*(client.query(FLOW_DETAIL, who, {"id": flow_id}) for who, flow_id, _ in asks))

    expected = [
        {"data": {"masterFlow": None}}
        if name is None
        else {
            "data": {
                "masterFlow": {
                    "name": name,
                    "discovery": {
                        "dataImport": {
                            "name": name,
                            "rawRecords": {"totalCount": 3, "nodes": [{"rowNumber": n, "rawData": {"flow": name}} for n in (1, 2, 3)]},
                        }
                    },
                }
            }
        }
        for _, _, name in asks
    ]
    assert bodies == expected
    assert reader_through_bouncer.pool.get_size() > SERVER_CONNECTIONS


async def test_a_write_through_the_pooler_is_refused(reader_through_bouncer):
    write = CompiledQuery(insert(data_imports).values(client_account_id=func.gen_random_uuid()).returning(data_imports.c.id))

    with pytest.raises(asyncpg.exceptions.ReadOnlySQLTransactionError):
        await reader_through_bouncer.fetch(write)


async def test_a_statement_through_the_pooler_is_cancelled_at_the_timeout(bouncer):
    reader = await Reader.connect(changed(bouncer, statement_timeout_ms=200))
    try:
        with pytest.raises(asyncpg.exceptions.QueryCanceledError):
            await reader.fetch(CompiledQuery(select(func.pg_sleep(literal_column("2")))))
    finally:
        await reader.close()


async def test_the_timeout_does_not_outlive_its_transaction_on_the_shared_server_connection(bouncer, reader_through_bouncer):
    await reader_through_bouncer.fetch(CompiledQuery(select(literal_column("1"))))
    other_client = await asyncpg.connect(bouncer.url, statement_cache_size=0)
    try:
        timeouts = {await other_client.fetchval("SHOW statement_timeout") for _ in range(2 * SERVER_CONNECTIONS)}
        read_only = {await other_client.fetchval("SHOW transaction_read_only") for _ in range(2 * SERVER_CONNECTIONS)}
    finally:
        await other_client.close()

    assert timeouts == {"0"}
    assert read_only == {"off"}


async def test_readiness_is_checked_through_the_pooler(settings, reader_through_bouncer, bouncer):
    async with client_for(changed(settings, database=bouncer), reader_through_bouncer) as http:
        response = await http.get("/readyz")

    assert response.status_code == 200, response.text
    assert response.json()["status"] == "ready"
