"""Alembic environment: async, schema-aware, URL and schema from the environment.

Migrations run with `search_path` set to `DB_SCHEMA`, so revisions never name
a schema and the same history builds `migration` or any other schema.
"""

from __future__ import annotations

import asyncio

from alembic import context
from sqlalchemy import text
from sqlalchemy.engine import Connection

from db.engine import create_admin_engine
from db.settings import DatabaseSettings
from db.tables import metadata


def _run(connection: Connection, schema: str) -> None:
    connection.execute(text(f'CREATE SCHEMA IF NOT EXISTS "{schema}"'))
    connection.execute(text(f'SET search_path TO "{schema}"'))
    connection.commit()
    context.configure(
        connection=connection,
        target_metadata=metadata,
        version_table_schema=schema,
    )
    with context.begin_transaction():
        context.run_migrations()


async def _main() -> None:
    settings = context.config.attributes.get("settings") or DatabaseSettings.from_env()
    engine = create_admin_engine(settings)
    try:
        async with engine.connect() as connection:
            await connection.run_sync(_run, settings.schema_name)
    finally:
        await engine.dispose()


asyncio.run(_main())
