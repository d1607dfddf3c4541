"""Imports whose tenant columns are NULL notify their flow too.

Revision 0002 matched an import to its discovery flow only where both named
the same tenant, so a change to an import the platform stored without tenant
columns (or to its records) woke no subscription.  This reinstalls the
triggers of `db.triggers`, whose rule is the gateway's: each of the import's
tenant columns is NULL or the flow's.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02 14:00:00.000000

"""

from collections.abc import Sequence

from alembic import op

from db.triggers import install_statements

# revision identifiers, used by Alembic.
revision: str = "0004"
down_revision: str | Sequence[str] | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_IMPORT_ROW_TABLES = ("raw_import_records",)  # the import's rows that exist at this revision


def upgrade() -> None:
    """Replace the functions and triggers with the current ones (each statement is idempotent)."""
    for statement in install_statements(import_row_tables=_IMPORT_ROW_TABLES):
        op.execute(statement)


def downgrade() -> None:
    """Keep the current triggers: going back to 0003 must not bring back the bug 0004 fixed."""
