"""Raw import records, paged per import in one statement for many imports.

Each page is a keyset slice over `(data_import_id, row_number)`: the rows of
one import after a given `row_number`, in `row_number` order.  Many pages,
each with its own import, position, size and filter, load in one statement:
the page keys go in as arrays, and a LATERAL subquery reads each page through
the `(data_import_id, row_number)` index.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from uuid import UUID

from sqlalchemy import (
    ARRAY,
    Boolean,
    ColumnElement,
    Integer,
    Row,
    and_,
    bindparam,
    column,
    func,
    literal_column,
    or_,
    select,
    true,
)
from sqlalchemy.dialects.postgresql import UUID as PG_UUID
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.sql.selectable import TableValuedAlias

from db.tables import data_imports, raw_import_records as t
from db.tenancy import Tenant, belongs_to

__all__ = ["RecordFilter", "RecordPageKey", "count_raw_records", "raw_record_pages"]


@dataclass(frozen=True)
class RecordFilter:
    """Optional conditions on a record's flags; None means either."""

    is_valid: bool | None = None
    is_processed: bool | None = None


@dataclass(frozen=True)
class RecordPageKey:
    """One page: up to `limit` records of import `import_id` after `after_row`."""

    import_id: UUID
    after_row: int
    limit: int
    filter: RecordFilter = RecordFilter()


def _keys(keys: Sequence[RecordPageKey], *, with_limit: bool) -> TableValuedAlias:
    """The page keys as a derived table `page(import_id, after_row, [row_limit,] is_valid, is_processed, ordinality)`."""
    arrays = {
        "import_id": ([k.import_id for k in keys], PG_UUID(as_uuid=True)),
        "after_row": ([k.after_row for k in keys], Integer()),
        "row_limit": ([k.limit for k in keys], Integer()),
        "is_valid": ([k.filter.is_valid for k in keys], Boolean()),
        "is_processed": ([k.filter.is_processed for k in keys], Boolean()),
    }
    if not with_limit:
        del arrays["row_limit"]
    return (
        func.unnest(*(bindparam(name, values, type_=ARRAY(type_)) for name, (values, type_) in arrays.items()))
        .table_valued(*(column(name, type_) for name, (_, type_) in arrays.items()), with_ordinality="ordinality")
        .render_derived(name="page", with_types=False)
    )


def _matches(page: TableValuedAlias, tenant: Tenant) -> ColumnElement[bool]:
    """The records of `page`'s import, filtered, and of the tenant where the record says."""
    return and_(
        t.c.data_import_id == page.c.import_id,
        t.c.row_number > page.c.after_row,
        or_(page.c.is_valid.is_(None), t.c.is_valid == page.c.is_valid),
        or_(page.c.is_processed.is_(None), t.c.is_processed == page.c.is_processed),
        or_(t.c.client_account_id.is_(None), t.c.client_account_id == tenant.client_account_id),
        or_(t.c.engagement_id.is_(None), t.c.engagement_id == tenant.engagement_id),
    )


def _of_tenant_imports(page: TableValuedAlias, tenant: Tenant) -> ColumnElement[bool]:
    return and_(data_imports.c.id == page.c.import_id, belongs_to(data_imports, tenant))


async def raw_record_pages(
    connection: AsyncConnection, *, tenant: Tenant, keys: Sequence[RecordPageKey]
) -> list[list[Row]]:
    """Each key's page of records, in key order, rows in `row_number` order.

    A key whose import is not the tenant's gets an empty page.
    """
    page = _keys(keys, with_limit=True)
    records = (
        select(
            t.c.row_number,
            t.c.raw_data,
            t.c.cleansed_data,
            t.c.validation_errors,
            t.c.processing_notes,
            t.c.is_processed,
            t.c.is_valid,
            t.c.created_at,
            t.c.processed_at,
        )
        .where(_matches(page, tenant))
        .order_by(t.c.row_number)
        .limit(page.c.row_limit)
        .lateral("record")
    )
    statement = (
        select(page.c.ordinality, records)
        .select_from(page.join(data_imports, _of_tenant_imports(page, tenant)).join(records, true()))
        .order_by(page.c.ordinality, records.c.row_number)
    )
    pages: list[list[Row]] = [[] for _ in keys]
    for row in (await connection.execute(statement)).all():
        pages[row.ordinality - 1].append(row)
    return pages


async def count_raw_records(
    connection: AsyncConnection, *, tenant: Tenant, keys: Sequence[RecordPageKey]
) -> list[int]:
    """How many records match each key's import and filter (position and limit ignored), in key order."""
    page = _keys([RecordPageKey(k.import_id, 0, 0, k.filter) for k in keys], with_limit=False)
    counted = select(func.count().label("total")).where(_matches(page, tenant)).lateral("counted")
    statement = select(page.c.ordinality, counted.c.total).select_from(
        page.join(data_imports, _of_tenant_imports(page, tenant)).join(counted, true())
    )
    totals = [0] * len(keys)
    for row in (await connection.execute(statement)).all():
        totals[row.ordinality - 1] = row.total
    return totals
