"""The gateway's read path: every pooled connection is read-only and bounded by a statement timeout."""

from __future__ import annotations

import asyncpg
import pytest


async def test_a_pooled_connection_refuses_to_write(reader, settings):
    async with reader.pool.acquire() as connection:
        with pytest.raises(asyncpg.exceptions.ReadOnlySQLTransactionError):
            await connection.execute(
                f"INSERT INTO {settings.database.schema_name}.data_imports (client_account_id, engagement_id) "
                "VALUES (gen_random_uuid(), gen_random_uuid())"
            )


async def test_a_pooled_connection_carries_the_statement_timeout_and_schema(reader, settings):
    async with reader.pool.acquire() as connection:
        timeout_ms = await connection.fetchval("SELECT setting FROM pg_settings WHERE name = 'statement_timeout'")
        search_path = await connection.fetchval("SHOW search_path")

    assert int(timeout_ms) == settings.database.statement_timeout_ms
    assert search_path == settings.database.schema_name
