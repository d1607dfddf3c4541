"""Flow change notifications: triggers that NOTIFY the master flow ID and tenant of every change.

A master flow changes when its row, its discovery flow, the import that
discovery flow links, or that import's raw records change.  Each change
sends `pg_notify('flowgate:<schema>', '{"flow_id", "client_account_id",
"engagement_id"}')`; the channel is scoped to the schema (cut to PostgreSQL's
63-byte limit), and the payload never holds an internal ID.  `db.notifications`
listens.

Imports and records reach their master flow through the bridge,
`discovery_flows.data_import_id` → `discovery_flows.master_flow_id`, never
through `data_imports.master_flow_id` (design §1, trap 2), and only where the
discovery flow and the import belong to the same tenant.  Records notify once
per statement (transition tables), so a statement inserting 1,000 records
sends one notification per affected flow; PostgreSQL also folds identical
notifications of one transaction into one.  A record moved to another import
notifies the new import's flow only.

The functions pin `search_path` to the schema they are created in, so they
resolve their tables there whatever the writing session's `search_path` is.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25 19:10:00.000000

"""
from collections.abc import Sequence

from alembic import op

# revision identifiers, used by Alembic.
revision: str = '0002'
down_revision: str | Sequence[str] | None = '0001'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_NOTIFY_FLOW = """
CREATE FUNCTION flowgate_notify_flow_changed(
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
$$
"""

_NOTIFY_IMPORT = """
CREATE FUNCTION flowgate_notify_import_changed(
    changed_import_id uuid, changed_client_account_id uuid, changed_engagement_id uuid
) RETURNS void LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
BEGIN
    PERFORM flowgate_notify_flow_changed(bridge.master_flow_id, bridge.client_account_id, bridge.engagement_id)
    FROM discovery_flows AS bridge
    WHERE bridge.data_import_id = changed_import_id
      AND bridge.client_account_id = changed_client_account_id
      AND bridge.engagement_id = changed_engagement_id;
END
$$
"""

_ROW_TRIGGERS = (
    # (table, trigger function, notifying function, the column it is given)
    ("crewai_flow_state_extensions", "flowgate_master_flow_changed", "flowgate_notify_flow_changed", "flow_id"),
    ("discovery_flows", "flowgate_discovery_flow_changed", "flowgate_notify_flow_changed", "master_flow_id"),
    ("data_imports", "flowgate_data_import_changed", "flowgate_notify_import_changed", "id"),
)

_RECORDS_CHANGED = """
CREATE FUNCTION flowgate_raw_records_changed() RETURNS trigger LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
BEGIN
    PERFORM flowgate_notify_import_changed(imported.id, imported.client_account_id, imported.engagement_id)
    FROM data_imports AS imported
    WHERE imported.id IN (SELECT data_import_id FROM changed_records);
    RETURN NULL;
END
$$
"""

_RECORD_TRIGGERS = (
    # (trigger, event, transition table holding the changed records)
    ("flowgate_notify_insert", "INSERT", "NEW TABLE"),
    ("flowgate_notify_update", "UPDATE", "NEW TABLE"),
    ("flowgate_notify_delete", "DELETE", "OLD TABLE"),
)


def _row_trigger_function(name: str, notify: str, column: str) -> str:
    """A row trigger function calling `notify` for the row before and after the change."""
    return f"""
CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
BEGIN
    IF TG_OP <> 'INSERT' THEN
        PERFORM {notify}(OLD.{column}, OLD.client_account_id, OLD.engagement_id);
    END IF;
    IF TG_OP <> 'DELETE' THEN
        PERFORM {notify}(NEW.{column}, NEW.client_account_id, NEW.engagement_id);
    END IF;
    RETURN NULL;
END
$$
"""


def upgrade() -> None:
    """Create the notifying functions and triggers in the current schema (env.py sets search_path)."""
    op.execute(_NOTIFY_FLOW)
    op.execute(_NOTIFY_IMPORT)
    for table, function, notify, column in _ROW_TRIGGERS:
        op.execute(_row_trigger_function(function, notify, column))
        op.execute(
            f"CREATE TRIGGER flowgate_notify AFTER INSERT OR UPDATE OR DELETE ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION {function}()"
        )
    op.execute(_RECORDS_CHANGED)
    for trigger, event, transition in _RECORD_TRIGGERS:
        op.execute(
            f"CREATE TRIGGER {trigger} AFTER {event} ON raw_import_records "
            f"REFERENCING {transition} AS changed_records "
            "FOR EACH STATEMENT EXECUTE FUNCTION flowgate_raw_records_changed()"
        )


def downgrade() -> None:
    """Drop the triggers, then their functions."""
    for trigger, _, _ in _RECORD_TRIGGERS:
        op.execute(f"DROP TRIGGER {trigger} ON raw_import_records")
    op.execute("DROP FUNCTION flowgate_raw_records_changed()")
    for table, function, _, _ in _ROW_TRIGGERS:
        op.execute(f"DROP TRIGGER flowgate_notify ON {table}")
        op.execute(f"DROP FUNCTION {function}()")
    op.execute("DROP FUNCTION flowgate_notify_import_changed(uuid, uuid, uuid)")
    op.execute("DROP FUNCTION flowgate_notify_flow_changed(uuid, uuid, uuid)")
