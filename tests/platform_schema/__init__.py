"""The platform's own database as a test fixture: its tables, RLS, and a read-only role set up by `db grants`.

`build` loads `schema.sql` (the platform's tables as its migrations leave
them) into a schema of its own, creates a login role and runs what
`python -m db grants --role` prints for it, then (unless told not to) what
`python -m db triggers` prints, exactly as a DBA would.  The
gateway under test then connects as that role, never as the owner, so row-level
security applies to it as it would on the platform.

`PlatformRows` writes test data through the platform's real tables: it
fills the columns the platform requires that Flowgate never reads
(`imported_by`, a discovery flow's `user_id`) and creates the client
accounts, engagements and users the platform's foreign keys demand.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from sqlalchemy import MetaData, Table, text
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncConnection

from db.grants import grants_sql
from db.triggers import triggers_sql

__all__ = ["PLATFORM_USER_ID", "PlatformRows", "build", "reader_url"]

_SQL = (Path(__file__).parent / "schema.sql").read_text()
PLATFORM_USER_ID = uuid.UUID("00000000-0000-4000-8000-0000000000a1")
"""The user every test import is `imported_by`."""

_REQUIRED_DEFAULTS = {
    "data_imports": {"imported_by": PLATFORM_USER_ID},
    "discovery_flows": {"user_id": "test-user"},
    "crewai_flow_state_extensions": {"user_id": "test-user"},
}


def schema_sql(schema: str) -> str:
    """`schema.sql` with its tables in `schema` instead of `migration`."""
    return re.sub(r"\bmigration\.", f"{schema}.", _SQL).replace("CREATE SCHEMA migration;", f"CREATE SCHEMA {schema};")


def reader_url(admin_url: str, role: str) -> str:
    """`admin_url` logging in as `role` (the test databases trust local connections)."""
    return make_url(admin_url).set(username=role, password=None).render_as_string(hide_password=False)


async def build(connection: AsyncConnection, *, schema: str, role: str, triggers: bool = True) -> None:
    """(Re)create `schema` as the platform's database, with Flowgate's triggers if `triggers`, and `role` as a login role granted by `db grants`."""
    raw = (await connection.get_raw_connection()).driver_connection
    await raw.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
    await raw.execute(schema_sql(schema))
    await raw.execute(f"DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{role}') THEN CREATE ROLE {role} LOGIN; END IF; END $$")
    # The grants run in a transaction of their own (BEGIN ... COMMIT), as in psql.
    await raw.execute(grants_sql(schema=schema, role=role))
    if triggers:
        await raw.execute(triggers_sql(schema=schema))
    await raw.execute(f"INSERT INTO {schema}.users (id, email) VALUES ('{PLATFORM_USER_ID}', 'importer@example.com')")


class PlatformRows:
    """Inserts Flowgate-shaped rows into the platform's tables, adding what the platform requires."""

    def __init__(self, schema: str) -> None:
        self.schema = schema
        self.metadata = MetaData(schema=schema)

    async def table(self, connection: AsyncConnection, name: str) -> Table:
        key = f"{self.schema}.{name}"
        if key not in self.metadata.tables:
            await connection.run_sync(lambda sync: self.metadata.reflect(sync, only=[name]))
        return self.metadata.tables[key]

    async def insert(self, connection: AsyncConnection, name: str, rows: Iterable[dict[str, Any]]) -> None:
        rows = [{**_REQUIRED_DEFAULTS.get(name, {}), **row} for row in rows]
        if not rows:
            return
        await self._tenants(connection, rows)
        await connection.execute((await self.table(connection, name)).insert(), rows)

    async def _tenants(self, connection: AsyncConnection, rows: list[dict[str, Any]]) -> None:
        """The client accounts and engagements `rows` name, created unless they exist."""
        pairs = {(row.get("client_account_id"), row.get("engagement_id")) for row in rows}
        clients = [{"id": client} for client in {client for client, _ in pairs if client is not None}]
        engagements = [{"id": e, "client_account_id": c} for c, e in pairs if c is not None and e is not None]
        for name, values in (("client_accounts", clients), ("engagements", engagements)):
            if values:
                table = await self.table(connection, name)
                await connection.execute(insert(table).on_conflict_do_nothing(), values)
        orphans = [e for c, e in pairs if c is None and e is not None]
        if orphans:  # an engagement named without its client: give it a client of its own
            for engagement in orphans:
                await connection.execute(
                    text(
                        f"WITH c AS (INSERT INTO {self.schema}.client_accounts (id) VALUES (gen_random_uuid()) RETURNING id) "
                        f"INSERT INTO {self.schema}.engagements (id, client_account_id) SELECT :e, id FROM c "
                        "ON CONFLICT DO NOTHING"
                    ),
                    {"e": engagement},
                )
