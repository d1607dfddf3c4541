"""The NOTIFY triggers behind subscriptions: their DDL, in one place, and which of them a schema lacks.

A master flow changes when its row, its discovery flow, the import that
discovery flow links, or that import's rows (`IMPORT_ROW_TABLES`: its raw
records and field mappings) change.  Each change
sends `pg_notify('flowgate:<schema>', '{"flow_id", "client_account_id",
"engagement_id"}')`; the channel is scoped to the schema (cut to PostgreSQL's
63-byte limit), and the payload never holds an internal ID.
`db.notifications` listens.

Imports and records reach their master flow through the bridge,
`discovery_flows.data_import_id` → `discovery_flows.master_flow_id`, never
through `data_imports.master_flow_id` (design §1, trap 2), and only where the
import belongs to the discovery flow's tenant: each of the import's tenant
columns is NULL or the flow's (the tenancy rule of `db.tenancy.belongs_to`).
An import's rows notify once per statement (transition tables), so a statement
inserting 1,000 records sends one notification per affected flow;
PostgreSQL also folds identical notifications of one transaction into one.

The functions pin `search_path` to the schema they are created in, so they
resolve their tables there whatever the writing session's `search_path` is.
Every statement is idempotent (`CREATE OR REPLACE`): migrations 0002,
0004 and 0005 run them, and `python -m db triggers` prints them for a DBA to run on
the platform's database.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

__all__ = ["IMPORT_ROW_TABLES", "TRIGGERS", "drop_statements", "install_statements", "missing_triggers", "triggers_sql"]

IMPORT_ROW_TABLES = ("raw_import_records", "import_field_mappings")
"""The tables whose rows belong to an import, by `data_import_id`."""

_NOTIFY_FLOW = """
CREATE OR REPLACE FUNCTION flowgate_notify_flow_changed(
    changed_flow_id uuid, changed_client_account_id uuid, changed_engagement_id uuid
) RETURNS void LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
BEGIN
    IF changed_flow_id IS NOT NULL THEN
        PERFORM pg_notify(
            left('flowgate:' || current_schema(), 63),
            json_build_object(
                'flow_id', changed_flow_id,
                'client_account_id', changed_client_account_id,
                'engagement_id', changed_engagement_id
            )::text
        );
    END IF;
END
$$"""

_NOTIFY_IMPORT = """
CREATE OR REPLACE FUNCTION flowgate_notify_import_changed(
    changed_import_id uuid, changed_client_account_id uuid, changed_engagement_id uuid
) RETURNS void LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
BEGIN
    PERFORM flowgate_notify_flow_changed(bridge.master_flow_id, bridge.client_account_id, bridge.engagement_id)
    FROM discovery_flows AS bridge
    WHERE bridge.data_import_id = changed_import_id
      AND (changed_client_account_id IS NULL OR bridge.client_account_id = changed_client_account_id)
      AND (changed_engagement_id IS NULL OR bridge.engagement_id = changed_engagement_id);
END
$$"""

_ROW_TRIGGERS = (
    # (table, trigger function, notifying function, the column it is given)
    ("crewai_flow_state_extensions", "flowgate_master_flow_changed", "flowgate_notify_flow_changed", "flow_id"),
    ("discovery_flows", "flowgate_discovery_flow_changed", "flowgate_notify_flow_changed", "master_flow_id"),
    ("data_imports", "flowgate_data_import_changed", "flowgate_notify_import_changed", "id"),
)

_IMPORT_ROWS_CHANGED = """
CREATE OR REPLACE FUNCTION flowgate_import_rows_changed() RETURNS trigger LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
BEGIN
    PERFORM flowgate_notify_import_changed(imported.id, imported.client_account_id, imported.engagement_id)
    FROM data_imports AS imported
    WHERE imported.id IN (SELECT data_import_id FROM changed_rows);
    RETURN NULL;
END
$$"""

_STATEMENT_TRIGGERS = (
    # (trigger, event, transition table holding the changed rows)
    ("flowgate_notify_insert", "INSERT", "NEW TABLE"),
    ("flowgate_notify_update", "UPDATE", "NEW TABLE"),
    ("flowgate_notify_delete", "DELETE", "OLD TABLE"),
)

TRIGGERS = tuple((table, "flowgate_notify") for table, *_ in _ROW_TRIGGERS) + tuple(
    (table, trigger) for table in IMPORT_ROW_TABLES for trigger, *_ in _STATEMENT_TRIGGERS
)
"""Every (table, trigger name) that subscriptions rely on."""


def _row_trigger_function(name: str, notify: str, column: str) -> str:
    """A row trigger function calling `notify` for the row before and after the change."""
    return f"""
CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
BEGIN
    IF TG_OP <> 'INSERT' THEN
        PERFORM {notify}(OLD.{column}, OLD.client_account_id, OLD.engagement_id);
    END IF;
    IF TG_OP <> 'DELETE' THEN
        PERFORM {notify}(NEW.{column}, NEW.client_account_id, NEW.engagement_id);
    END IF;
    RETURN NULL;
END
$$"""


RETIRED_FUNCTION_DROP = "DROP FUNCTION IF EXISTS flowgate_raw_records_changed()"
"""Before revision 0005, the records' triggers called this function; `flowgate_import_rows_changed` replaced it."""


def install_statements(*, import_row_tables: Sequence[str] = IMPORT_ROW_TABLES) -> list[str]:
    """The functions and triggers, for the schema first in `search_path`; each statement idempotent.

    A migration passes the `import_row_tables` that exist at its revision.
    """
    statements = [_NOTIFY_FLOW, _NOTIFY_IMPORT]
    for table, function, notify, column in _ROW_TRIGGERS:
        statements.append(_row_trigger_function(function, notify, column))
        statements.append(
            f"CREATE OR REPLACE TRIGGER flowgate_notify AFTER INSERT OR UPDATE OR DELETE ON {table} FOR EACH ROW EXECUTE FUNCTION {function}()"
        )
    statements.append(_IMPORT_ROWS_CHANGED)
    for table in import_row_tables:
        for trigger, event, transition in _STATEMENT_TRIGGERS:
            statements.append(
                f"CREATE OR REPLACE TRIGGER {trigger} AFTER {event} ON {table} "
                f"REFERENCING {transition} AS changed_rows "
                "FOR EACH STATEMENT EXECUTE FUNCTION flowgate_import_rows_changed()"
            )
    return statements


def drop_statements(*, import_row_tables: Sequence[str] = IMPORT_ROW_TABLES) -> list[str]:
    """The triggers (of the `import_row_tables` that exist), then their functions, dropped."""
    existing = [(table, trigger) for table, trigger in TRIGGERS if table in import_row_tables or table not in IMPORT_ROW_TABLES]
    statements = [f"DROP TRIGGER IF EXISTS {trigger} ON {table}" for table, trigger in existing]
    statements += [f"DROP FUNCTION IF EXISTS {function}()" for _, function, _, _ in _ROW_TRIGGERS]
    statements += [
        "DROP FUNCTION IF EXISTS flowgate_import_rows_changed()",
        RETIRED_FUNCTION_DROP,
        "DROP FUNCTION IF EXISTS flowgate_notify_import_changed(uuid, uuid, uuid)",
        "DROP FUNCTION IF EXISTS flowgate_notify_flow_changed(uuid, uuid, uuid)",
    ]
    return statements


def triggers_sql(*, schema: str) -> str:
    """What `python -m db triggers` prints: the install statements for `schema`, in one transaction, for `psql`.

    The role that runs it must own the tables (PostgreSQL lets only the owner
    create triggers) and may create functions in `schema`.
    """
    lines = [
        f"-- Flowgate's flow change triggers (subscriptions) on schema {schema}.",
        "BEGIN;",
        f"SET LOCAL search_path TO {schema};",
        *(statement.strip() + ";" for statement in install_statements()),
        "COMMIT;",
    ]
    return "\n".join(lines) + "\n"


async def missing_triggers(connection: Any, schema: str) -> list[str]:
    """The triggers of `TRIGGERS` that `schema` lacks or has disabled, as `trigger on table`; an asyncpg connection."""
    rows = await connection.fetch(
        """
        SELECT c.relname AS table_name, t.tgname AS trigger_name
        FROM pg_trigger AS t
        JOIN pg_class AS c ON c.oid = t.tgrelid
        JOIN pg_namespace AS n ON n.oid = c.relnamespace
        WHERE n.nspname = $1 AND NOT t.tgisinternal AND t.tgenabled <> 'D'
        """,
        schema,
    )
    present = {(row["table_name"], row["trigger_name"]) for row in rows}
    return [f"{trigger} on {table}" for table, trigger in TRIGGERS if (table, trigger) not in present]
