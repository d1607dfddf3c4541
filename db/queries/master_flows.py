"""Master flows (`crewai_flow_state_extensions`), by public `flow_id` only.

The row's primary key `id` is never selected and never compared with: a
query by `flow_id` cannot match on `id` (design §1, trap 4).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Any, Literal
from uuid import UUID

from asyncpg import Record
from sqlalchemy import ARRAY, ColumnElement, DateTime, Integer, String, all_, any_, bindparam, false, func, literal_column, or_, select, tuple_
from sqlalchemy.dialects.postgresql import UUID as PG_UUID

from db.queries import UUIDS
from db.reader import CompiledQuery, Reader
from db.tables import NO_TIMESTAMP, ordering_key
from db.tables import master_flows as t
from db.tenancy import Tenant, belongs_to

__all__ = [
    "CONFIGURED_COLUMNS",
    "INACTIVE_STATUSES",
    "PLAIN_COLUMNS",
    "FlowKey",
    "MasterFlowFilter",
    "MasterFlowOrder",
    "ValueFilter",
    "child_flows_by_parent_flow_ids",
    "count_master_flows",
    "master_flow_page",
    "master_flows_by_flow_ids",
    "sort_timestamp",
]


def _configured(*path: str) -> ColumnElement[str]:
    """A text value of `flow_configuration` at `path`; the column's other keys (internal IDs among them) are never read."""
    return t.c.flow_configuration.op("#>>")(literal_column("'{" + ",".join(path) + "}'"))


_PLAIN = (t.c.flow_id, t.c.flow_type, t.c.flow_name, t.c.flow_status, t.c.parent_flow_id, t.c.created_at, t.c.updated_at)
_CONFIGURED = (
    # The import path writes both at the top; the platform's fallback path writes the category under `metadata`.
    func.coalesce(_configured("import_category"), _configured("metadata", "import_category")).label("import_category"),
    _configured("filename").label("filename"),
)
PLAIN_COLUMNS = frozenset(column.name for column in _PLAIN)
"""What every master flow row holds."""
CONFIGURED_COLUMNS = frozenset(column.name for column in _CONFIGURED)
"""What a row holds as well when read `configured`: values from `flow_configuration`, whose extraction costs more than the rest of the row."""


def _columns(configured: bool) -> tuple[ColumnElement[Any], ...]:
    return (*_PLAIN, *_CONFIGURED) if configured else _PLAIN


FlowKey = tuple[datetime, UUID]
"""A keyset position: the ordering timestamp (`NO_TIMESTAMP` for NULL), then `flow_id` to break ties."""


def sort_timestamp(timestamp: datetime | None) -> datetime:
    """A flow's ordering timestamp as its keyset position holds it (NULL sorts as the oldest)."""
    return NO_TIMESTAMP if timestamp is None else timestamp


_TEXTS = ARRAY(String())


@dataclass(frozen=True)
class ValueFilter:
    """Keep rows whose column is one of `values`, or, with `outside_of`, any value not in it.

    With neither, nothing matches (an empty list of allowed values).
    """

    values: frozenset[str] = frozenset()
    outside_of: frozenset[str] | None = None

    @property
    def shape(self) -> tuple[bool, bool]:
        return bool(self.values), self.outside_of is not None

    def clause(self, column: ColumnElement[str], name: str) -> ColumnElement[bool]:
        clauses: list[ColumnElement[bool]] = [false()]
        if self.values:
            clauses.append(column == any_(bindparam(f"{name}_values", type_=_TEXTS)))
        if self.outside_of is not None:
            clauses.append(column != all_(bindparam(f"{name}_outside", type_=_TEXTS)))
        return or_(*clauses)

    def parameters(self, name: str) -> dict[str, list[str]]:
        parameters = {f"{name}_values": sorted(self.values)} if self.values else {}
        if self.outside_of is not None:
            parameters[f"{name}_outside"] = sorted(self.outside_of)
        return parameters


INACTIVE_STATUSES = ("completed", "failed", "error", "deleted", "cancelled", "child_flows_deleted")
"""The statuses the platform's "active flows" list leaves out."""

_INACTIVE = bindparam("inactive_statuses", type_=_TEXTS)


@dataclass(frozen=True)
class MasterFlowFilter:
    """Conditions on master flows, all of which a flow meets; `active` True keeps the platform's active flows, False the others."""

    flow_type: ValueFilter | None = None
    status: ValueFilter | None = None
    active: bool | None = None

    def clauses(self) -> list[ColumnElement[bool]]:
        clauses = []
        if self.flow_type is not None:
            clauses.append(self.flow_type.clause(t.c.flow_type, "flow_type"))
        if self.status is not None:
            clauses.append(self.status.clause(t.c.flow_status, "status"))
        if self.active is not None:
            clauses.append(t.c.flow_status != all_(_INACTIVE) if self.active else t.c.flow_status == any_(_INACTIVE))
        return clauses

    def parameters(self) -> dict[str, list[str]]:
        return {
            **(self.flow_type.parameters("flow_type") if self.flow_type else {}),
            **(self.status.parameters("status") if self.status else {}),
            **({"inactive_statuses": list(INACTIVE_STATUSES)} if self.active is not None else {}),
        }


@dataclass(frozen=True)
class MasterFlowOrder:
    field: Literal["created_at", "updated_at"] = "created_at"
    descending: bool = True


@lru_cache(maxsize=2)
def _by_flow_ids(configured: bool) -> CompiledQuery:
    return CompiledQuery(select(*_columns(configured)).where(belongs_to(t), t.c.flow_id == any_(bindparam("flow_ids", type_=UUIDS))))


@lru_cache(maxsize=2)
def _children(configured: bool) -> CompiledQuery:
    return CompiledQuery(
        select(*_columns(configured))
        .where(belongs_to(t), t.c.parent_flow_id == any_(bindparam("parent_flow_ids", type_=UUIDS)))
        .order_by(ordering_key(t.c.created_at), t.c.flow_id)
    )


async def master_flows_by_flow_ids(reader: Reader, *, tenant: Tenant, flow_ids: Sequence[UUID], configured: bool) -> Sequence[Record]:
    """The tenant's master flows whose `flow_id` is in `flow_ids`, in any order: `PLAIN_COLUMNS`, and `CONFIGURED_COLUMNS` if `configured`."""
    return await reader.fetch(_by_flow_ids(configured), **tenant.columns(), flow_ids=list(flow_ids))


async def child_flows_by_parent_flow_ids(reader: Reader, *, tenant: Tenant, parent_flow_ids: Sequence[UUID], configured: bool) -> Sequence[Record]:
    """The tenant's master flows whose parent is in `parent_flow_ids`, oldest first (columns as `master_flows_by_flow_ids`)."""
    return await reader.fetch(_children(configured), **tenant.columns(), parent_flow_ids=list(parent_flow_ids))


def _key_parameter(name: str) -> ColumnElement[Any]:
    return tuple_(bindparam(f"{name}_at", type_=DateTime(timezone=True)), bindparam(f"{name}_flow_id", type_=PG_UUID(as_uuid=True)))


@lru_cache(maxsize=256)
def _page_query(
    filter: MasterFlowFilter, order: MasterFlowOrder, has_after: bool, has_before: bool, from_end: bool, configured: bool
) -> CompiledQuery:
    key = tuple_(ordering_key(t.c[order.field]), t.c.flow_id)
    bounds = []
    if has_after:
        bounds.append(key < _key_parameter("after") if order.descending else key > _key_parameter("after"))
    if has_before:
        bounds.append(key > _key_parameter("before") if order.descending else key < _key_parameter("before"))
    scan_descending = order.descending != from_end
    sort = (ordering_key(t.c[order.field]), t.c.flow_id)
    return CompiledQuery(
        select(*_columns(configured))
        .where(belongs_to(t), *filter.clauses(), *bounds)
        .order_by(*(c.desc() if scan_descending else c.asc() for c in sort))
        .limit(bindparam("row_limit", type_=Integer()))
    )


def _shape_only(filter: MasterFlowFilter) -> MasterFlowFilter:
    """A filter with the same clauses as `filter` and placeholder values, to key compiled shapes."""

    def placeholder(value_filter: ValueFilter | None) -> ValueFilter | None:
        if value_filter is None:
            return None
        has_values, has_outside = value_filter.shape
        return ValueFilter(frozenset({""}) if has_values else frozenset(), frozenset() if has_outside else None)

    return MasterFlowFilter(placeholder(filter.flow_type), placeholder(filter.status), filter.active)


async def master_flow_page(
    reader: Reader,
    *,
    tenant: Tenant,
    filter: MasterFlowFilter,
    order: MasterFlowOrder,
    after: FlowKey | None,
    before: FlowKey | None,
    limit: int,
    configured: bool,
    from_end: bool = False,
) -> Sequence[Record]:
    """Up to `limit` flows strictly between `after` and `before` in `order` (columns as `master_flows_by_flow_ids`).

    With `from_end`, the rows are the last `limit` of that range, still
    returned in `order`.  Keyset pagination on `(order.field, flow_id)`.
    """
    query = _page_query(_shape_only(filter), order, after is not None, before is not None, from_end, configured)
    positions: dict[str, Any] = {}
    for name, key in (("after", after), ("before", before)):
        if key is not None:
            positions[f"{name}_at"], positions[f"{name}_flow_id"] = key
    rows = await reader.fetch(query, **tenant.columns(), **filter.parameters(), **positions, row_limit=limit)
    return rows[::-1] if from_end else rows


@lru_cache(maxsize=64)
def _count_query(filter: MasterFlowFilter) -> CompiledQuery:
    return CompiledQuery(select(func.count()).select_from(t).where(belongs_to(t), *filter.clauses()))


async def count_master_flows(reader: Reader, *, tenant: Tenant, filter: MasterFlowFilter) -> int:
    """How many of the tenant's master flows match `filter`."""
    return await reader.fetchval(_count_query(_shape_only(filter)), **tenant.columns(), **filter.parameters())
