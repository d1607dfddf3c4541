"""The platform's tables Flowgate reads, with its own table and column names and nullability.

A column is nullable here when it is in the platform's database (its Alembic
migrations, not its models), so no query can lean on a guarantee the platform
lacks: `db.tenancy` reads these flags to decide how to filter by tenant.

Tables are declared without a schema; engines map them to `DB_SCHEMA`
(`migration` by default) with `schema_translate_map`, so the same definitions
serve Flowgate's own database and the platform's.
"""

from __future__ import annotations

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
    "data_imports",
    "discovery_flows",
    "engagements",
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


def ordering_key(column: Column) -> ColumnElement:
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
    Column("error_message", Text),
    Column("error_phase", String(100)),
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
    Column("created_at", DateTime(timezone=True), server_default=func.now()),
    Column("processed_at", DateTime(timezone=True)),
)

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
