"""The tables of the platform's discovery pages, its discovery flow state, and their notifications.

- `import_field_mappings`, `assets`, `data_cleansing_recommendations` and
  `asset_conflict_resolutions`, with the columns Flowgate reads (and those
  the platform requires), as the platform's database has them.
- `discovery_flows` gains its JSON state (`phase_state`, `crewai_state_data`,
  `error_details`); `raw_import_records` gains `asset_id`.
- The gateway indexes that page them (`db.indexes`, revision 0005).
- Field mappings notify their flow like raw records; both call
  `flowgate_import_rows_changed`, which replaces `flowgate_raw_records_changed`.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02 19:30:00.000000

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from db.indexes import created_by
from db.triggers import RETIRED_FUNCTION_DROP, install_statements

# revision identifiers, used by Alembic.
revision: str = "0005"
down_revision: str | Sequence[str] | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_NEW_TABLES = ("asset_conflict_resolutions", "data_cleansing_recommendations", "import_field_mappings", "assets")  # dependants first


def _uuid(name: str, *, nullable: bool = True) -> sa.Column:
    return sa.Column(name, sa.UUID(), nullable=nullable)


def _primary_key() -> sa.Column:
    return sa.Column("id", sa.UUID(), server_default=sa.text("gen_random_uuid()"), nullable=False)


def _timestamps(*, nullable: bool) -> list[sa.Column]:
    return [
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=nullable),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=nullable),
    ]


def upgrade() -> None:
    """Add the columns and tables, their indexes, then the triggers (env.py sets search_path)."""
    op.add_column("discovery_flows", sa.Column("phase_state", postgresql.JSONB(), server_default=sa.text("'{}'::jsonb"), nullable=False))
    op.add_column("discovery_flows", sa.Column("crewai_state_data", postgresql.JSONB(), server_default=sa.text("'{}'::jsonb"), nullable=False))
    op.add_column("discovery_flows", sa.Column("error_details", sa.JSON(), nullable=True))
    op.add_column("raw_import_records", _uuid("asset_id"))
    op.create_table(
        "assets",
        _primary_key(),
        _uuid("client_account_id", nullable=False),
        _uuid("engagement_id", nullable=False),
        sa.Column("name", sa.String(255), nullable=False),
        sa.Column("asset_name", sa.String(255)),
        sa.Column("hostname", sa.String(255)),
        sa.Column("asset_type", sa.String(50), nullable=False),
        sa.Column("description", sa.Text()),
        sa.Column("ip_address", sa.String(45)),
        sa.Column("environment", sa.String(50)),
        sa.Column("location", sa.String(100)),
        sa.Column("operating_system", sa.String(100)),
        sa.Column("os_version", sa.String(50)),
        sa.Column("cpu_cores", sa.Integer()),
        sa.Column("memory_gb", sa.Float()),
        sa.Column("storage_gb", sa.Float()),
        sa.Column("business_owner", sa.String(255)),
        sa.Column("application_name", sa.String(255)),
        sa.Column("criticality", sa.String(20)),
        sa.Column("business_criticality", sa.String(20)),
        sa.Column("status", sa.String(50)),
        _uuid("raw_import_records_id"),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()")),
        sa.Column("updated_at", sa.DateTime(timezone=True)),
        sa.Column("deleted_at", sa.DateTime(timezone=True)),
        sa.ForeignKeyConstraint(["raw_import_records_id"], ["raw_import_records.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "import_field_mappings",
        _primary_key(),
        _uuid("data_import_id", nullable=False),
        _uuid("client_account_id", nullable=False),
        _uuid("engagement_id"),
        _uuid("master_flow_id"),
        sa.Column("source_field", sa.String(255), nullable=False),
        sa.Column("target_field", sa.String(255), nullable=False),
        sa.Column("match_type", sa.String(50), server_default="direct", nullable=False),
        sa.Column("confidence_score", sa.Float()),
        sa.Column("status", sa.String(20), server_default="suggested"),
        sa.Column("suggested_by", sa.String(50), server_default="ai_mapper"),
        sa.Column("approved_by", sa.String(255)),
        sa.Column("approved_at", sa.DateTime(timezone=True)),
        sa.Column("transformation_rules", sa.JSON()),
        sa.Column("field_type", sa.String(50)),
        sa.Column("agent_reasoning", sa.Text()),
        *_timestamps(nullable=True),
        sa.ForeignKeyConstraint(["data_import_id"], ["data_imports.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "data_cleansing_recommendations",
        _primary_key(),
        _uuid("flow_id", nullable=False),
        _uuid("client_account_id", nullable=False),
        _uuid("engagement_id", nullable=False),
        sa.Column("category", sa.String(100), nullable=False),
        sa.Column("title", sa.String(255), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("priority", sa.String(20), nullable=False),
        sa.Column("impact", sa.Text()),
        sa.Column("effort_estimate", sa.String(100)),
        sa.Column("fields_affected", postgresql.JSONB()),
        sa.Column("status", sa.String(20), server_default="pending", nullable=False),
        sa.Column("action_notes", sa.Text()),
        sa.Column("applied_by_user_id", sa.String(255)),
        sa.Column("applied_at", sa.DateTime(timezone=True)),
        *_timestamps(nullable=False),
        sa.ForeignKeyConstraint(["flow_id"], ["discovery_flows.flow_id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "asset_conflict_resolutions",
        _primary_key(),
        _uuid("client_account_id", nullable=False),
        _uuid("engagement_id", nullable=False),
        _uuid("discovery_flow_id", nullable=False),
        _uuid("master_flow_id"),
        _uuid("data_import_id"),
        sa.Column("conflict_type", sa.String(50), nullable=False),
        sa.Column("conflict_key", sa.String(255), nullable=False),
        _uuid("existing_asset_id", nullable=False),
        sa.Column("existing_asset_snapshot", postgresql.JSONB(), nullable=False),
        sa.Column("new_asset_data", postgresql.JSONB(), nullable=False),
        sa.Column("resolution_status", sa.String(20), server_default="pending", nullable=False),
        sa.Column("resolution_action", sa.String(20)),
        sa.Column("merge_field_selections", postgresql.JSONB()),
        _uuid("resolved_by"),
        sa.Column("resolved_at", sa.DateTime(timezone=True)),
        sa.Column("resolution_notes", sa.Text()),
        *_timestamps(nullable=False),
        sa.ForeignKeyConstraint(["discovery_flow_id"], ["discovery_flows.id"]),
        sa.ForeignKeyConstraint(["data_import_id"], ["data_imports.id"]),
        sa.ForeignKeyConstraint(["existing_asset_id"], ["assets.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    for index in created_by(revision):
        op.execute(f"CREATE INDEX {index.name} ON {index.table} ({index.key})")
    for statement in install_statements():
        op.execute(statement)
    op.execute(RETIRED_FUNCTION_DROP)


def downgrade() -> None:
    """Drop the tables (their triggers and indexes go with them) and the columns; the records keep their triggers."""
    for table in _NEW_TABLES:
        op.drop_table(table)
    for statement in install_statements(import_row_tables=("raw_import_records",)):
        op.execute(statement)
    op.drop_column("raw_import_records", "asset_id")
    for column in ("error_details", "crewai_state_data", "phase_state"):
        op.drop_column("discovery_flows", column)
