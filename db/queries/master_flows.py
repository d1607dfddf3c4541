"""Master flows (`crewai_flow_state_extensions`), by public `flow_id` only.

The row's primary key `id` is never selected and never compared with: a
query by `flow_id` cannot match on `id` (design §1, trap 4).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Literal
from uuid import UUID

from sqlalchemy import ColumnElement, Row, Select, and_, false, func, or_, select, tuple_
from sqlalchemy.ext.asyncio import AsyncConnection

from db.tables import master_flows as t
from db.tenancy import Tenant, belongs_to

__all__ = [
    "FlowKey",
    "MasterFlowFilter",
    "MasterFlowOrder",
    "ValueFilter",
    "child_flows_by_parent_flow_ids",
    "count_master_flows",
    "master_flow_page",
    "master_flows_by_flow_ids",
]

COLUMNS = (
    t.c.flow_id,
    t.c.flow_type,
    t.c.flow_name,
    t.c.flow_status,
    t.c.parent_flow_id,
    t.c.created_at,
    t.c.updated_at,
)

FlowKey = tuple[datetime, UUID]
"""A keyset position: the ordering timestamp, then `flow_id` to break ties."""


@dataclass(frozen=True)
class ValueFilter:
    """Keep rows whose column is one of `values`, or, with `outside_of`, any value not in it.

    With neither, nothing matches (an empty list of allowed values).
    """

    values: frozenset[str] = frozenset()
    outside_of: frozenset[str] | None = None

    def clause(self, column: ColumnElement[str]) -> ColumnElement[bool]:
        clauses = [column.in_(sorted(self.values))] if self.values else []
        if self.outside_of is not None:
            clauses.append(column.not_in(sorted(self.outside_of)))
        return or_(false(), *clauses)


@dataclass(frozen=True)
class MasterFlowFilter:
    flow_type: ValueFilter | None = None
    status: ValueFilter | None = None

    def clauses(self) -> list[ColumnElement[bool]]:
        clauses = []
        if self.flow_type is not None:
            clauses.append(self.flow_type.clause(t.c.flow_type))
        if self.status is not None:
            clauses.append(self.status.clause(t.c.flow_status))
        return clauses


@dataclass(frozen=True)
class MasterFlowOrder:
    field: Literal["created_at", "updated_at"] = "created_at"
    descending: bool = True


async def master_flows_by_flow_ids(
    connection: AsyncConnection, *, tenant: Tenant, flow_ids: Sequence[UUID]
) -> Sequence[Row]:
    """The tenant's master flows whose `flow_id` is in `flow_ids`, in no particular order."""
    statement = select(*COLUMNS).where(belongs_to(t, tenant), t.c.flow_id.in_(flow_ids))
    return (await connection.execute(statement)).all()


async def child_flows_by_parent_flow_ids(
    connection: AsyncConnection, *, tenant: Tenant, parent_flow_ids: Sequence[UUID]
) -> Sequence[Row]:
    """The tenant's master flows whose parent is in `parent_flow_ids`, oldest first."""
    statement = (
        select(*COLUMNS)
        .where(belongs_to(t, tenant), t.c.parent_flow_id.in_(parent_flow_ids))
        .order_by(t.c.created_at, t.c.flow_id)
    )
    return (await connection.execute(statement)).all()


def _filtered(statement: Select, tenant: Tenant, filter: MasterFlowFilter) -> Select:
    return statement.where(belongs_to(t, tenant), *filter.clauses())


async def master_flow_page(
    connection: AsyncConnection,
    *,
    tenant: Tenant,
    filter: MasterFlowFilter,
    order: MasterFlowOrder,
    after: FlowKey | None,
    before: FlowKey | None,
    limit: int,
    from_end: bool = False,
) -> Sequence[Row]:
    """Up to `limit` flows strictly between `after` and `before` in `order`.

    With `from_end`, the rows are the last `limit` of that range, still
    returned in `order`.  Keyset pagination on `(order.field, flow_id)`.
    """
    key = tuple_(t.c[order.field], t.c.flow_id)
    bounds = []
    if after is not None:
        bounds.append(key < tuple_(*after) if order.descending else key > tuple_(*after))
    if before is not None:
        bounds.append(key > tuple_(*before) if order.descending else key < tuple_(*before))
    scan_descending = order.descending != from_end
    sort = [t.c[order.field], t.c.flow_id]
    statement = (
        _filtered(select(*COLUMNS), tenant, filter)
        .where(and_(True, *bounds))
        .order_by(*(c.desc() if scan_descending else c.asc() for c in sort))
        .limit(limit)
    )
    rows = (await connection.execute(statement)).all()
    return rows[::-1] if from_end else rows


async def count_master_flows(
    connection: AsyncConnection, *, tenant: Tenant, filter: MasterFlowFilter
) -> int:
    """How many of the tenant's master flows match `filter`."""
    statement = _filtered(select(func.count()).select_from(t), tenant, filter)
    return (await connection.execute(statement)).scalar_one()
