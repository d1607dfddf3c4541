"""The tenant every statement is scoped to."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from sqlalchemy import ColumnElement, Table, and_

__all__ = ["Tenant", "belongs_to"]


@dataclass(frozen=True)
class Tenant:
    """A client account and one of its engagements: the scope of every row."""

    client_account_id: UUID
    engagement_id: UUID

    def columns(self) -> dict[str, UUID]:
        return {"client_account_id": self.client_account_id, "engagement_id": self.engagement_id}


def belongs_to(table: Table, tenant: Tenant) -> ColumnElement[bool]:
    """The WHERE clause that keeps `table`'s rows of `tenant` only."""
    return and_(
        table.c.client_account_id == tenant.client_account_id,
        table.c.engagement_id == tenant.engagement_id,
    )
