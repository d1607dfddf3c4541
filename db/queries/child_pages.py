"""Keyset pages of the rows that hang off a parent row, many parents in one statement.

A `ChildList` is such a table: field mappings hang off an import,
cleansing recommendations and asset conflicts off a discovery flow.  A
parent's rows come ordered by `(timestamp, id)`, a NULL timestamp as the
oldest (`db.tables.ordering_key`), and can be filtered on enumerated
columns.  As with raw records, many pages go in one statement: the page
keys as arrays, and a LATERAL subquery per page reading through the index on
`(link, timestamp, id)` (`db.indexes`).  The parent must be the tenant's, and
so must every row.

An enumerated column's values outside its documented list, NULL included,
count as `UNKNOWN_VALUE`, both in filters and in `count_by_value`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Any, NamedTuple
from uuid import UUID

from asyncpg import Record
from sqlalchemy import (
    ARRAY,
    ColumnElement,
    DateTime,
    Integer,
    String,
    Table,
    and_,
    any_,
    bindparam,
    case,
    column,
    func,
    literal_column,
    or_,
    select,
    true,
    tuple_,
)
from sqlalchemy.dialects.postgresql import UUID as PG_UUID
from sqlalchemy.sql.selectable import TableValuedAlias

from db.queries import UUIDS
from db.reader import CompiledQuery, Reader
from db.tables import NO_TIMESTAMP, ordering_key
from db.tenancy import Tenant, belongs_to

__all__ = [
    "BEFORE_FIRST",
    "UNKNOWN_VALUE",
    "ChildList",
    "ChildPageKey",
    "ChildPosition",
    "EnumeratedColumn",
    "child_pages",
    "count_by_value",
    "count_children",
]

UNKNOWN_VALUE = "unknown"
"""What an enumerated column's undocumented values (and NULL) count as: the value of every enum's UNKNOWN."""


@dataclass(frozen=True)
class EnumeratedColumn:
    """A status-like column and its documented values."""

    name: str
    documented: tuple[str, ...]


@dataclass(frozen=True)
class ChildList:
    """Rows of `table` whose `link` names a `parent` row's `parent_key`, ordered by `(order, id)`; pages read `columns`."""

    table: Table
    link: str
    parent: Table
    parent_key: str
    order: str
    columns: tuple[str, ...]
    filters: tuple[EnumeratedColumn, ...] = ()

    def sort_key(self) -> ColumnElement[datetime]:
        """The ordering timestamp as rows sort by it: NULL as `-infinity` where the column is nullable."""
        order = self.table.c[self.order]
        return ordering_key(order) if order.nullable else order

    def value_of(self, filter: EnumeratedColumn) -> ColumnElement[str]:
        """`filter`'s column with every undocumented value (and NULL) as `UNKNOWN_VALUE`."""
        stored = self.table.c[filter.name]
        return case((stored.in_([_text_literal(value) for value in filter.documented]), stored), else_=_text_literal(UNKNOWN_VALUE))


def _text_literal(value: str) -> ColumnElement[str]:
    """A constant of the code rendered into the SQL: compiled statements bind only request values."""
    if not (value == "," or value.replace("_", "").isalnum()):
        raise ValueError(f"not a plain value: {value!r}")
    return literal_column(f"'{value}'", String())


class ChildPosition(NamedTuple):
    """Where a row sits in its parent's list: its ordering timestamp (-infinity for NULL), then its ID."""

    at: datetime
    child_id: UUID


BEFORE_FIRST = ChildPosition(NO_TIMESTAMP, UUID(int=0))
"""The position before every row (no row has the nil UUID as its ID)."""


@dataclass(frozen=True)
class ChildPageKey:
    """Up to `limit` rows of parent `parent_id` after `after`.

    `kept` holds one entry per filter of the list: the values it keeps, or None for every value.
    """

    parent_id: UUID
    after: ChildPosition = BEFORE_FIRST
    limit: int = 0
    kept: tuple[frozenset[str] | None, ...] = ()


def _keys(rows: ChildList, *, positioned: bool) -> TableValuedAlias:
    """The page keys as `page(parent_id, [after_at, after_id, row_limit,] filter_0, …, ordinality)`."""
    types: dict[str, Any] = {"parent_id": PG_UUID(as_uuid=True)}
    if positioned:
        types |= {"after_at": DateTime(timezone=True), "after_id": PG_UUID(as_uuid=True), "row_limit": Integer()}
    types |= {f"filter_{index}": String() for index in range(len(rows.filters))}
    return (
        func.unnest(*(bindparam(name, type_=ARRAY(type_)) for name, type_ in types.items()))
        .table_valued(*(column(name, type_) for name, type_ in types.items()), with_ordinality="ordinality")
        .render_derived(name="page", with_types=False)
    )


def _matches(rows: ChildList, page: TableValuedAlias, *, positioned: bool) -> ColumnElement[bool]:
    """The tenant's rows of `page`'s parent (after its position if `positioned`) with the values its filters keep."""
    t = rows.table
    kept = [
        or_(page.c[f"filter_{index}"].is_(None), rows.value_of(filter) == any_(func.string_to_array(page.c[f"filter_{index}"], _text_literal(","))))
        for index, filter in enumerate(rows.filters)
    ]
    position = tuple_(rows.sort_key(), t.c.id) > tuple_(page.c.after_at, page.c.after_id) if positioned else true()
    return and_(t.c[rows.link] == page.c.parent_id, position, *kept, belongs_to(t))


def _of_tenant_parents(rows: ChildList, page: TableValuedAlias) -> ColumnElement[bool]:
    return and_(rows.parent.c[rows.parent_key] == page.c.parent_id, belongs_to(rows.parent))


@lru_cache(maxsize=16)
def _pages_query(rows: ChildList) -> CompiledQuery:
    t, page = rows.table, _keys(rows, positioned=True)
    children = (
        select(t.c.id.label("_id"), rows.sort_key().label("_at"), *(t.c[name] for name in rows.columns))
        .where(_matches(rows, page, positioned=True))
        .order_by(rows.sort_key(), t.c.id)
        .limit(page.c.row_limit)
        .lateral("child")
    )
    return CompiledQuery(
        select(page.c.ordinality, *children.c)
        .select_from(page.join(rows.parent, _of_tenant_parents(rows, page)).join(children, true()))
        .order_by(page.c.ordinality, children.c._at, children.c._id)
    )


@lru_cache(maxsize=16)
def _count_query(rows: ChildList) -> CompiledQuery:
    page = _keys(rows, positioned=False)
    counted = select(func.count().label("total")).where(_matches(rows, page, positioned=False)).lateral("counted")
    return CompiledQuery(
        select(page.c.ordinality, counted.c.total).select_from(page.join(rows.parent, _of_tenant_parents(rows, page)).join(counted, true()))
    )


@lru_cache(maxsize=16)
def _by_value_query(rows: ChildList, filter: EnumeratedColumn) -> CompiledQuery:
    t, parent = rows.table, rows.parent
    value = rows.value_of(filter).label("value")
    return CompiledQuery(
        select(t.c[rows.link].label("parent_id"), value, func.count().label("total"))
        .select_from(t.join(parent, and_(parent.c[rows.parent_key] == t.c[rows.link], belongs_to(parent))))
        .where(t.c[rows.link] == any_(bindparam("parent_ids", type_=UUIDS)), belongs_to(t))
        .group_by(t.c[rows.link], value)
    )


def _joined(kept: frozenset[str] | None) -> str | None:
    return None if kept is None else ",".join(sorted(kept))


def _filter_parameters(rows: ChildList, keys: Sequence[ChildPageKey]) -> dict[str, list[str | None]]:
    """Each filter's kept values per key, comma-joined (documented values hold no commas); None keeps every value."""
    return {f"filter_{index}": [_joined(key.kept[index]) for key in keys] for index in range(len(rows.filters))}


async def child_pages(reader: Reader, *, tenant: Tenant, rows: ChildList, keys: Sequence[ChildPageKey]) -> list[list[Record]]:
    """Each key's page, in key order, rows in `(order, id)` order.

    A key whose parent is not the tenant's gets an empty page.  Rows hold
    `_id` (the row's ID), `_at` (its position's timestamp) and `rows.columns`.
    JSON columns are JSON text.
    """
    fetched = await reader.fetch(
        _pages_query(rows),
        **tenant.columns(),
        parent_id=[key.parent_id for key in keys],
        after_at=[key.after.at for key in keys],
        after_id=[key.after.child_id for key in keys],
        row_limit=[key.limit for key in keys],
        **_filter_parameters(rows, keys),
    )
    pages: list[list[Record]] = [[] for _ in keys]
    for row in fetched:
        pages[row["ordinality"] - 1].append(row)
    return pages


async def count_children(reader: Reader, *, tenant: Tenant, rows: ChildList, keys: Sequence[ChildPageKey]) -> list[int]:
    """How many rows each key's parent has with the values its filters keep (position and limit ignored), in key order."""
    fetched = await reader.fetch(_count_query(rows), **tenant.columns(), parent_id=[key.parent_id for key in keys], **_filter_parameters(rows, keys))
    totals = [0] * len(keys)
    for row in fetched:
        totals[row["ordinality"] - 1] = row["total"]
    return totals


async def count_by_value(
    reader: Reader, *, tenant: Tenant, rows: ChildList, filter: EnumeratedColumn, parent_ids: Sequence[UUID]
) -> dict[UUID, dict[str, int]]:
    """For each of the tenant's parents in `parent_ids` with rows: how many rows hold each value of `filter` (one grouped statement)."""
    counts: dict[UUID, dict[str, int]] = {}
    for row in await reader.fetch(_by_value_query(rows, filter), **tenant.columns(), parent_ids=list(parent_ids)):
        counts.setdefault(row["parent_id"], {})[row["value"]] = row["total"]
    return counts
