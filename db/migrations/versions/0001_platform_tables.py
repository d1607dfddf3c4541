"""The platform's four tables, and the indexes the gateway reads through.

Revision ID: 0001
Revises:
Create Date: 2026-11-25 18:05:43.946087

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

# revision identifiers, used by Alembic.
revision: str = "0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Create the tables in the current schema (env.py sets search_path)."""
    op.create_table(
        "crewai_flow_state_extensions",
        sa.Column("id", sa.UUID(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("flow_id", sa.UUID(), nullable=False),
        sa.Column("client_account_id", sa.UUID(), nullable=False),
        sa.Column("engagement_id", sa.UUID(), nullable=False),
        sa.Column("user_id", sa.String(length=255), nullable=True),
        sa.Column("flow_type", sa.String(length=50), nullable=False),
        sa.Column("flow_name", sa.String(length=255), nullable=True),
        sa.Column("flow_status", sa.String(length=50), server_default="initialized", nullable=False),
        sa.Column("parent_flow_id", sa.UUID(), nullable=True),
        sa.Column("flow_configuration", postgresql.JSONB(astext_type=sa.Text()), server_default=sa.text("'{}'::jsonb"), nullable=False),
        sa.Column("flow_metadata", postgresql.JSONB(astext_type=sa.Text()), server_default=sa.text("'{}'::jsonb"), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(["parent_flow_id"], ["crewai_flow_state_extensions.flow_id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("flow_id"),
    )
    op.create_index("ix_master_flows_parent_flow_id", "crewai_flow_state_extensions", ["parent_flow_id"], unique=False)
    op.create_index(
        "ix_master_flows_tenant_created",
        "crewai_flow_state_extensions",
        ["client_account_id", "engagement_id", "created_at", "flow_id"],
        unique=False,
    )
    op.create_index(
        "ix_master_flows_tenant_updated",
        "crewai_flow_state_extensions",
        ["client_account_id", "engagement_id", "updated_at", "flow_id"],
        unique=False,
    )
    op.create_table(
        "data_imports",
        sa.Column("id", sa.UUID(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("client_account_id", sa.UUID(), nullable=False),
        sa.Column("engagement_id", sa.UUID(), nullable=False),
        sa.Column("master_flow_id", sa.UUID(), nullable=True),
        sa.Column("import_name", sa.String(length=255), nullable=True),
        sa.Column("import_type", sa.String(length=50), nullable=True),
        sa.Column("import_category", sa.String(length=50), nullable=True),
        sa.Column("filename", sa.String(length=255), nullable=True),
        sa.Column("file_size", sa.BigInteger(), nullable=True),
        sa.Column("mime_type", sa.String(length=100), nullable=True),
        sa.Column("source_system", sa.String(length=100), nullable=True),
        sa.Column("status", sa.String(length=50), server_default="pending", nullable=False),
        sa.Column("progress_percentage", sa.Float(), server_default="0", nullable=True),
        sa.Column("total_records", sa.Integer(), server_default="0", nullable=True),
        sa.Column("processed_records", sa.Integer(), server_default="0", nullable=True),
        sa.Column("failed_records", sa.Integer(), server_default="0", nullable=True),
        sa.Column("error_message", sa.Text(), nullable=True),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("completed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_data_imports_tenant", "data_imports", ["client_account_id", "engagement_id"], unique=False)
    op.create_table(
        "discovery_flows",
        sa.Column("id", sa.UUID(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("flow_id", sa.UUID(), nullable=True),
        sa.Column("master_flow_id", sa.UUID(), nullable=True),
        sa.Column("data_import_id", sa.UUID(), nullable=True),
        sa.Column("client_account_id", sa.UUID(), nullable=False),
        sa.Column("engagement_id", sa.UUID(), nullable=False),
        sa.Column("flow_name", sa.String(length=255), nullable=True),
        sa.Column("status", sa.String(length=20), server_default="active", nullable=False),
        sa.Column("current_phase", sa.String(length=100), nullable=True),
        sa.Column("progress_percentage", sa.Float(), server_default="0", nullable=True),
        sa.Column("data_import_completed", sa.Boolean(), server_default="false", nullable=False),
        sa.Column("data_validation_completed", sa.Boolean(), server_default="false", nullable=False),
        sa.Column("field_mapping_completed", sa.Boolean(), server_default="false", nullable=False),
        sa.Column("data_cleansing_completed", sa.Boolean(), server_default="false", nullable=False),
        sa.Column("asset_inventory_completed", sa.Boolean(), server_default="false", nullable=False),
        sa.Column("assessment_ready", sa.Boolean(), server_default="false", nullable=False),
        sa.Column("error_message", sa.Text(), nullable=True),
        sa.Column("error_phase", sa.String(length=100), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("completed_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["data_import_id"], ["data_imports.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["master_flow_id"], ["crewai_flow_state_extensions.flow_id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("flow_id"),
    )
    op.create_index("ix_discovery_flows_data_import_id", "discovery_flows", ["data_import_id"], unique=False)
    op.create_index("ix_discovery_flows_master_flow_id", "discovery_flows", ["master_flow_id"], unique=False)
    op.create_table(
        "raw_import_records",
        sa.Column("id", sa.UUID(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("data_import_id", sa.UUID(), nullable=False),
        sa.Column("client_account_id", sa.UUID(), nullable=True),
        sa.Column("engagement_id", sa.UUID(), nullable=True),
        sa.Column("row_number", sa.Integer(), nullable=False),
        sa.Column("raw_data", sa.JSON(), nullable=False),
        sa.Column("cleansed_data", sa.JSON(), nullable=True),
        sa.Column("validation_errors", sa.JSON(), nullable=True),
        sa.Column("processing_notes", sa.Text(), nullable=True),
        sa.Column("is_processed", sa.Boolean(), server_default="false", nullable=False),
        sa.Column("is_valid", sa.Boolean(), server_default="true", nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("processed_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["data_import_id"], ["data_imports.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ux_raw_import_records_import_row", "raw_import_records", ["data_import_id", "row_number"], unique=True)


def downgrade() -> None:
    """Drop the tables and their indexes."""
    op.drop_index("ux_raw_import_records_import_row", table_name="raw_import_records")
    op.drop_table("raw_import_records")
    op.drop_index("ix_discovery_flows_master_flow_id", table_name="discovery_flows")
    op.drop_index("ix_discovery_flows_data_import_id", table_name="discovery_flows")
    op.drop_table("discovery_flows")
    op.drop_index("ix_data_imports_tenant", table_name="data_imports")
    op.drop_table("data_imports")
    op.drop_index("ix_master_flows_tenant_updated", table_name="crewai_flow_state_extensions")
    op.drop_index("ix_master_flows_tenant_created", table_name="crewai_flow_state_extensions")
    op.drop_index("ix_master_flows_parent_flow_id", table_name="crewai_flow_state_extensions")
    op.drop_table("crewai_flow_state_extensions")
