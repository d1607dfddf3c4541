"""`python -m db triggers`: the SQL that installs the flow change triggers on a database Flowgate does not migrate."""

from __future__ import annotations

import subprocess
import sys

import asyncpg

from db.engine import database_url, plain_url
from db.triggers import TRIGGERS, missing_triggers, triggers_sql
from tests.conftest import ROOT, command_env


def test_the_command_prints_the_sql_for_the_schema():
    done = subprocess.run(
        [sys.executable, "-m", "db", "triggers"],
        cwd=ROOT,
        env=command_env(DB_SCHEMA="platform_db"),
        capture_output=True,
        text=True,
        check=True,
    )

    assert done.stdout == triggers_sql(schema="platform_db")
    assert "SET LOCAL search_path TO platform_db;" in done.stdout


async def test_running_it_twice_installs_every_trigger_once(bare_platform):
    schema = bare_platform.database.schema_name
    await bare_platform.execute(triggers_sql(schema=schema))
    await bare_platform.execute(triggers_sql(schema=schema))

    connection = await asyncpg.connect(plain_url(database_url(bare_platform.database)))
    try:
        missing = await missing_triggers(connection, schema)
        count = await connection.fetchval(
            "SELECT count(*) FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace"
            " WHERE n.nspname = $1 AND t.tgname LIKE 'flowgate%'",
            schema,
        )
    finally:
        await connection.close()

    assert missing == []
    assert count == len(TRIGGERS)
