"""The tenant every statement is scoped to."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from sqlalchemy import ColumnElement, Table, and_, bindparam
from sqlalchemy.dialects.postgresql import UUID as PG_UUID

__all__ = ["Tenant", "belongs_to"]


@dataclass(frozen=True)
class Tenant:
    """A client account and one of its engagements: the scope of every row."""

    client_account_id: UUID
    engagement_id: UUID

    def columns(self) -> dict[str, UUID]:
        """The tenant as column values (and as the parameters `belongs_to` binds)."""
        return {"client_account_id": self.client_account_id, "engagement_id": self.engagement_id}


def belongs_to(table: Table) -> ColumnElement[bool]:
    """The WHERE clause keeping `table`'s rows of the tenant bound as `Tenant.columns()`."""
    return and_(
        table.c.client_account_id == bindparam("client_account_id", type_=PG_UUID(as_uuid=True)),
        table.c.engagement_id == bindparam("engagement_id", type_=PG_UUID(as_uuid=True)),
    )
