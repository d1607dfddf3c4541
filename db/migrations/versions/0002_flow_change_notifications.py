"""Flow change notifications: triggers that NOTIFY the master flow ID and tenant of every change.

The functions and triggers are those of `db.triggers`, which documents them
and also prints them for databases Flowgate does not migrate (`python -m db
triggers`).

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25 19:10:00.000000

"""

from collections.abc import Sequence

from alembic import op

from db.triggers import drop_statements, install_statements

# revision identifiers, used by Alembic.
revision: str = "0002"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_IMPORT_ROW_TABLES = ("raw_import_records",)  # the import's rows that exist at this revision


def upgrade() -> None:
    """Create the notifying functions and triggers in the current schema (env.py sets search_path)."""
    for statement in install_statements(import_row_tables=_IMPORT_ROW_TABLES):
        op.execute(statement)


def downgrade() -> None:
    """Drop the triggers, then their functions."""
    for statement in drop_statements(import_row_tables=_IMPORT_ROW_TABLES):
        op.execute(statement)
