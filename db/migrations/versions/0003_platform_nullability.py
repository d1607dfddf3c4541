"""The platform's nullability, its repeatable row numbers, and its login tables.

- Columns nullable in the platform's database become nullable here too
  (master and import timestamps, import tenant columns, record flags), and
  `data_imports.updated_at` loses its default: the platform sets it on UPDATE only.
- The unique `(data_import_id, row_number)` goes: the platform has none, and
  its row numbers repeat.  Record pages read `(data_import_id, row_number, id)`.
- The tenant-ordered master flow indexes key on `COALESCE(timestamp, '-infinity')`.
  Every gateway index comes from `db.indexes`, as `python -m db indexes` prints them.
- `engagements` and `user_account_associations`, which `AUTH_MODE=platform` reads.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-02 10:30:00.000000

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from db.indexes import created_by

# revision identifiers, used by Alembic.
revision: str = "0003"
down_revision: str | Sequence[str] | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_MADE_NULLABLE = (
    ("crewai_flow_state_extensions", ("flow_metadata", "created_at", "updated_at")),
    ("data_imports", ("client_account_id", "engagement_id", "created_at", "updated_at")),
    ("raw_import_records", ("is_processed", "is_valid", "created_at")),
)
_REPLACED_INDEXES = (
    ("ux_raw_import_records_import_row", "raw_import_records"),
    ("ix_master_flows_tenant_created", "crewai_flow_state_extensions"),
    ("ix_master_flows_tenant_updated", "crewai_flow_state_extensions"),
    ("ix_master_flows_parent_flow_id", "crewai_flow_state_extensions"),
)


def upgrade() -> None:
    """Relax the columns, replace the indexes, add the login tables (env.py sets search_path)."""
    for table, columns in _MADE_NULLABLE:
        for column in columns:
            op.alter_column(table, column, nullable=True)
    op.alter_column("data_imports", "updated_at", server_default=None)
    for name, table in _REPLACED_INDEXES:
        op.drop_index(name, table_name=table)
    for index in created_by(revision):
        op.execute(f"CREATE INDEX {index.name} ON {index.table} ({index.key})")
    op.create_table(
        "engagements",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("client_account_id", sa.UUID(), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "user_account_associations",
        sa.Column("id", sa.UUID(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("user_id", sa.UUID(), nullable=False),
        sa.Column("client_account_id", sa.UUID(), nullable=False),
        sa.Column("role", sa.String(length=50), server_default="member", nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_user_account_associations_user_client", "user_account_associations", ["user_id", "client_account_id"])


def downgrade() -> None:
    """Drop the login tables and the new indexes; restore 0001's indexes (unique row numbers only if they are)."""
    op.drop_table("user_account_associations")
    op.drop_table("engagements")
    for index in created_by(revision):
        op.drop_index(index.name, table_name=index.table)
    op.create_index("ix_master_flows_parent_flow_id", "crewai_flow_state_extensions", ["parent_flow_id"])
    op.create_index(
        "ix_master_flows_tenant_created",
        "crewai_flow_state_extensions",
        ["client_account_id", "engagement_id", "created_at", "flow_id"],
    )
    op.create_index(
        "ix_master_flows_tenant_updated",
        "crewai_flow_state_extensions",
        ["client_account_id", "engagement_id", "updated_at", "flow_id"],
    )
    op.create_index("ux_raw_import_records_import_row", "raw_import_records", ["data_import_id", "row_number"], unique=True)
    op.alter_column("data_imports", "updated_at", server_default=sa.text("now()"))
