"""The tenant every statement is scoped to."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from sqlalchemy import Column, ColumnElement, Table, and_, bindparam, or_
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


def _of_tenant(column: Column) -> ColumnElement[bool]:
    equal = column == bindparam(column.name, type_=PG_UUID(as_uuid=True))
    return or_(column.is_(None), equal) if column.nullable else equal


def belongs_to(table: Table) -> ColumnElement[bool]:
    """The WHERE clause keeping `table`'s rows of the tenant bound as `Tenant.columns()`.

    A tenant column the platform leaves nullable matches when it is NULL or
    the tenant's (its upload path can leave `engagement_id` NULL); a row that
    names another tenant in either column never matches.
    """
    return and_(_of_tenant(table.c.client_account_id), _of_tenant(table.c.engagement_id))
