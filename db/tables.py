"""The platform's tables Flowgate reads, with its own table and column names and nullability.

A column is nullable here when it is in the platform's database (its Alembic
migrations, not its models), so no query can lean on a guarantee the platform
lacks: `db.tenancy` reads these flags to decide how to filter by tenant.

Tables are declared without a schema; engines map them to `DB_SCHEMA`
(`migration` by default) with `schema_translate_map`, so the same definitions
serve Flowgate's own database and the platform's.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    ColumnElement,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    func,
    literal_column,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB, UUID

__all__ = [
    "NO_TIMESTAMP",
    "asset_conflict_resolutions",
    "assets",
    "data_cleansing_recommendations",
    "data_imports",
    "discovery_flows",
    "engagements",
    "import_field_mappings",
    "master_flows",
    "metadata",
    "ordering_key",
    "raw_import_records",
    "user_account_associations",
]

metadata = MetaData()


def _tenant_columns(nullable: bool) -> list[Column]:
    return [
        Column("client_account_id", UUID(as_uuid=True), nullable=nullable),
        Column("engagement_id", UUID(as_uuid=True), nullable=nullable),
    ]


def _timestamps(nullable: bool) -> list[Column]:
    return [
        Column("created_at", DateTime(timezone=True), nullable=nullable, server_default=func.now()),
        Column("updated_at", DateTime(timezone=True), nullable=nullable, server_default=func.now()),
    ]


NO_TIMESTAMP = datetime.min.replace(tzinfo=UTC)
"""A NULL timestamp's place in an `ordering_key` order: PostgreSQL's `-infinity`, as asyncpg reads and sends it."""


def ordering_key(column: ColumnElement) -> ColumnElement:
    """A nullable timestamp as a sort key: NULL becomes `-infinity`, so it sorts (and pages) as the oldest."""
    return func.coalesce(column, literal_column("'-infinity'::timestamptz"))


master_flows = Table(
    "crewai_flow_state_extensions",
    metadata,
    Column("id", UUID(as_uuid=True), primary_key=True, server_default=text("gen_random_uuid()")),
    Column("flow_id", UUID(as_uuid=True), nullable=False, unique=True),
    *_tenant_columns(nullable=False),
    Column("user_id", String(255)),
    Column("flow_type", String(50), nullable=False),
    Column("flow_name", String(255)),
    Column("flow_status", String(50), nullable=False, server_default="initialized"),
    Column("parent_flow_id", UUID(as_uuid=True), ForeignKey("crewai_flow_state_extensions.flow_id", ondelete="SET NULL")),
    Column("flow_configuration", JSONB, nullable=False, server_default=text("'{}'::jsonb")),
    Column("flow_metadata", JSONB, server_default=text("'{}'::jsonb")),
    *_timestamps(nullable=True),
)

data_imports = Table(
    "data_imports",
    metadata,
    Column("id", UUID(as_uuid=True), primary_key=True, server_default=text("gen_random_uuid()")),
    *_tenant_columns(nullable=True),
    Column("master_flow_id", UUID(as_uuid=True)),
    Column("import_name", String(255)),
    Column("import_type", String(50)),
    Column("import_category", String(50)),
    Column("filename", String(255)),
    Column("file_size", BigInteger),
    Column("mime_type", String(100)),
    Column("source_system", String(100)),
    Column("status", String(50), nullable=False, server_default="pending"),
    Column("progress_percentage", Float, server_default="0"),
    Column("total_records", Integer, server_default="0"),
    Column("processed_records", Integer, server_default="0"),
    Column("failed_records", Integer, server_default="0"),
    Column("error_message", Text),
    Column("started_at", DateTime(timezone=True)),
    Column("completed_at", DateTime(timezone=True)),
    Column("created_at", DateTime(timezone=True), server_default=func.now()),
    Column("updated_at", DateTime(timezone=True)),  # the platform sets it on UPDATE only
    Index("ix_data_imports_tenant", "client_account_id", "engagement_id"),
)

discovery_flows = Table(
    "discovery_flows",
    metadata,
    Column("id", UUID(as_uuid=True), primary_key=True, server_default=text("gen_random_uuid()")),
    Column("flow_id", UUID(as_uuid=True), unique=True),
    Column("master_flow_id", UUID(as_uuid=True), ForeignKey("crewai_flow_state_extensions.flow_id", ondelete="CASCADE")),
    Column("data_import_id", UUID(as_uuid=True), ForeignKey("data_imports.id", ondelete="SET NULL")),
    *_tenant_columns(nullable=False),
    Column("flow_name", String(255)),
    Column("status", String(20), nullable=False, server_default="active"),
    Column("current_phase", String(100)),
    Column("progress_percentage", Float, server_default="0"),
    Column("data_import_completed", Boolean, nullable=False, server_default="false"),
    Column("data_validation_completed", Boolean, nullable=False, server_default="false"),
    Column("field_mapping_completed", Boolean, nullable=False, server_default="false"),
    Column("data_cleansing_completed", Boolean, nullable=False, server_default="false"),
    Column("asset_inventory_completed", Boolean, nullable=False, server_default="false"),
    Column("assessment_ready", Boolean, nullable=False, server_default="false"),
    Column("phase_state", JSONB, nullable=False, server_default=text("'{}'::jsonb")),
    Column("crewai_state_data", JSONB, nullable=False, server_default=text("'{}'::jsonb")),
    Column("error_message", Text),
    Column("error_phase", String(100)),
    Column("error_details", JSON(none_as_null=True)),
    *_timestamps(nullable=False),
    Column("completed_at", DateTime(timezone=True)),
    Index("ix_discovery_flows_master_flow_id", "master_flow_id"),
    Index("ix_discovery_flows_data_import_id", "data_import_id"),
)

raw_import_records = Table(
    "raw_import_records",
    metadata,
    Column("id", UUID(as_uuid=True), primary_key=True, server_default=text("gen_random_uuid()")),
    Column("data_import_id", UUID(as_uuid=True), ForeignKey("data_imports.id", ondelete="CASCADE"), nullable=False),
    *_tenant_columns(nullable=True),
    Column("row_number", Integer, nullable=False),
    Column("raw_data", JSON, nullable=False),
    Column("cleansed_data", JSON(none_as_null=True)),
    Column("validation_errors", JSON(none_as_null=True)),
    Column("processing_notes", Text),
    Column("is_processed", Boolean, server_default="false"),
    Column("is_valid", Boolean, server_default="true"),
    Column("asset_id", UUID(as_uuid=True)),  # the asset the record became; no foreign key, as in the platform
    Column("created_at", DateTime(timezone=True), server_default=func.now()),
    Column("processed_at", DateTime(timezone=True)),
)

assets = Table(
    "assets",
    metadata,
    Column("id", UUID(as_uuid=True), primary_key=True, server_default=text("gen_random_uuid()")),
    *_tenant_columns(nullable=False),
    Column("name", String(255), nullable=False),
    Column("asset_name", String(255)),
    Column("hostname", String(255)),
    Column("asset_type", String(50), nullable=False),
    Column("description", Text),
    Column("ip_address", String(45)),
    Column("environment", String(50)),
    Column("location", String(100)),
    Column("operating_system", String(100)),
    Column("os_version", String(50)),
    Column("cpu_cores", Integer),
    Column("memory_gb", Float),
    Column("storage_gb", Float),
    Column("business_owner", String(255)),
    Column("application_name", String(255)),
    Column("criticality", String(20)),
    Column("business_criticality", String(20)),
    Column("status", String(50)),
    Column("raw_import_records_id", UUID(as_uuid=True), ForeignKey("raw_import_records.id")),
    Column("created_at", DateTime(timezone=True), server_default=func.now()),
    Column("updated_at", DateTime(timezone=True)),
    Column("deleted_at", DateTime(timezone=True)),  # the platform's soft delete
)
"""The inventory a discovery flow builds: the columns of the platform's (much wider) table that its inventory page shows."""

import_field_mappings = Table(
    "import_field_mappings",
    metadata,
    Column("id", UUID(as_uuid=True), primary_key=True, server_default=text("gen_random_uuid()")),
    Column("data_import_id", UUID(as_uuid=True), ForeignKey("data_imports.id"), nullable=False),
    Column("client_account_id", UUID(as_uuid=True), nullable=False),
    Column("engagement_id", UUID(as_uuid=True)),  # nullable in the platform's database (its model says otherwise)
    Column("master_flow_id", UUID(as_uuid=True)),  # denormalised, never read
    Column("source_field", String(255), nullable=False),
    Column("target_field", String(255), nullable=False),
    Column("match_type", String(50), nullable=False, server_default="direct"),
    Column("confidence_score", Float),
    Column("status", String(20), server_default="suggested"),
    Column("suggested_by", String(50), server_default="ai_mapper"),
    Column("approved_by", String(255)),
    Column("approved_at", DateTime(timezone=True)),
    Column("transformation_rules", JSON(none_as_null=True)),
    Column("field_type", String(50)),
    Column("agent_reasoning", Text),
    *_timestamps(nullable=True),
)
"""How each source column of an import maps to an attribute of the platform's asset model."""

data_cleansing_recommendations = Table(
    "data_cleansing_recommendations",
    metadata,
    Column("id", UUID(as_uuid=True), primary_key=True, server_default=text("gen_random_uuid()")),
    Column("flow_id", UUID(as_uuid=True), ForeignKey("discovery_flows.flow_id", ondelete="CASCADE"), nullable=False),
    *_tenant_columns(nullable=False),
    Column("category", String(100), nullable=False),
    Column("title", String(255), nullable=False),
    Column("description", Text, nullable=False),
    Column("priority", String(20), nullable=False),
    Column("impact", Text),
    Column("effort_estimate", String(100)),
    Column("fields_affected", JSONB),
    Column("status", String(20), nullable=False, server_default="pending"),
    Column("action_notes", Text),
    Column("applied_by_user_id", String(255)),  # a user's ID: never read
    Column("applied_at", DateTime(timezone=True)),
    *_timestamps(nullable=False),
)
"""What the data-cleansing phase recommends, keyed by the discovery flow's `flow_id`."""

asset_conflict_resolutions = Table(
    "asset_conflict_resolutions",
    metadata,
    Column("id", UUID(as_uuid=True), primary_key=True, server_default=text("gen_random_uuid()")),
    *_tenant_columns(nullable=False),
    Column("discovery_flow_id", UUID(as_uuid=True), ForeignKey("discovery_flows.id"), nullable=False),  # the row's `id`, not `flow_id`
    Column("master_flow_id", UUID(as_uuid=True)),  # denormalised, never read
    Column("data_import_id", UUID(as_uuid=True), ForeignKey("data_imports.id")),
    Column("conflict_type", String(50), nullable=False),
    Column("conflict_key", String(255), nullable=False),
    Column("existing_asset_id", UUID(as_uuid=True), ForeignKey("assets.id"), nullable=False),
    Column("existing_asset_snapshot", JSONB, nullable=False),
    Column("new_asset_data", JSONB, nullable=False),
    Column("resolution_status", String(20), nullable=False, server_default="pending"),
    Column("resolution_action", String(20)),
    Column("merge_field_selections", JSONB),
    Column("resolved_by", UUID(as_uuid=True)),  # a user's ID: never read
    Column("resolved_at", DateTime(timezone=True)),
    Column("resolution_notes", Text),
    *_timestamps(nullable=False),
)
"""An imported asset that collides with an existing one, and what the user decided; keyed by `discovery_flows.id`."""

engagements = Table(
    "engagements",
    metadata,
    Column("id", UUID(as_uuid=True), primary_key=True),
    Column("client_account_id", UUID(as_uuid=True), nullable=False),
    Column("name", String(255)),
)
"""An engagement belongs to one client account (the platform's login checks it)."""

user_account_associations = Table(
    "user_account_associations",
    metadata,
    Column("id", UUID(as_uuid=True), primary_key=True, server_default=text("gen_random_uuid()")),
    Column("user_id", UUID(as_uuid=True), nullable=False),
    Column("client_account_id", UUID(as_uuid=True), nullable=False),
    Column("role", String(50), nullable=False, server_default="member"),
    Column("created_at", DateTime(timezone=True), server_default=func.now()),
)
"""Which user may act for which client account (the platform's login checks it)."""
