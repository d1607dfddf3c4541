"""Raw import records, paged per import in one statement for many imports.

Each page is a keyset slice over `(data_import_id, row_number, id)`: the rows
of one import after a given `(row_number, id)`, in that order.  The platform's
row numbers repeat and skip, so the record ID breaks ties: every record has
exactly one place.  Many pages, each with its own import, position, size and
filter, load in one statement: the page keys go in as arrays, and a LATERAL
subquery reads each page through the `(data_import_id, row_number, id)`
index.  A page reads only the columns its key asks for (decoding unused
timestamps and JSON costs more than the index scan).  JSON columns come back
as JSON text.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, NamedTuple
from uuid import UUID

from asyncpg import Record
from sqlalchemy import ARRAY, BigInteger, Boolean, ColumnElement, Integer, and_, bindparam, column, func, or_, select, true, tuple_
from sqlalchemy.dialects.postgresql import UUID as PG_UUID
from sqlalchemy.sql.selectable import TableValuedAlias

from db.reader import CompiledQuery, Reader
from db.tables import data_imports
from db.tables import raw_import_records as t
from db.tenancy import Tenant, belongs_to

__all__ = ["BEFORE_FIRST", "RECORD_COLUMNS", "RecordFilter", "RecordPageKey", "RecordPosition", "count_raw_records", "raw_record_pages"]


@dataclass(frozen=True)
class RecordFilter:
    """Optional conditions on a record's flags; None means either."""

    is_valid: bool | None = None
    is_processed: bool | None = None


RECORD_COLUMNS = (
    "row_number",
    "raw_data",
    "cleansed_data",
    "validation_errors",
    "processing_notes",
    "is_processed",
    "is_valid",
    "created_at",
    "processed_at",
)
"""The columns a page can read; `row_number` and the record's ID (as `_id`) are always read, as they position it."""


class RecordPosition(NamedTuple):
    """Where a record sits in its import's pages: its row number, then its ID among equal row numbers."""

    row_number: int
    record_id: UUID


BEFORE_FIRST = RecordPosition(-(2**31) - 1, UUID(int=0))
"""The position before every record: `row_number` is an int4, and this is below its range."""


@dataclass(frozen=True)
class RecordPageKey:
    """One page: up to `limit` records of import `import_id` after `after`, with `columns` (all by default)."""

    import_id: UUID
    after: RecordPosition
    limit: int
    filter: RecordFilter = RecordFilter()
    columns: frozenset[str] = frozenset(RECORD_COLUMNS)


_KEY_COLUMNS: dict[str, Any] = {
    "import_id": PG_UUID(as_uuid=True),
    "after_row": BigInteger(),  # BEFORE_FIRST is below int4's range
    "after_id": PG_UUID(as_uuid=True),
    "row_limit": Integer(),
    "is_valid": Boolean(),
    "is_processed": Boolean(),
}


def _keys(*names: str) -> TableValuedAlias:
    """The page keys, bound as one array per column, as `page(<names>, ordinality)`."""
    return (
        func.unnest(*(bindparam(name, type_=ARRAY(_KEY_COLUMNS[name])) for name in names))
        .table_valued(*(column(name, _KEY_COLUMNS[name]) for name in names), with_ordinality="ordinality")
        .render_derived(name="page", with_types=False)
    )


def _matches(page: TableValuedAlias, *, positioned: bool) -> ColumnElement[bool]:
    """The records of `page`'s import (after its position if `positioned`), filtered, of the tenant where the record says."""
    return and_(
        t.c.data_import_id == page.c.import_id,
        tuple_(t.c.row_number, t.c.id) > tuple_(page.c.after_row, page.c.after_id) if positioned else true(),
        or_(page.c.is_valid.is_(None), t.c.is_valid == page.c.is_valid),
        or_(page.c.is_processed.is_(None), t.c.is_processed == page.c.is_processed),
        belongs_to(t),
    )


def _of_tenant_imports(page: TableValuedAlias) -> ColumnElement[bool]:
    return and_(data_imports.c.id == page.c.import_id, belongs_to(data_imports))


@lru_cache(maxsize=2 ** (len(RECORD_COLUMNS) - 1))  # every choice of columns
def _pages_query(columns: frozenset[str]) -> CompiledQuery:
    page = _keys("import_id", "after_row", "after_id", "row_limit", "is_valid", "is_processed")
    records = (
        select(t.c.id.label("_id"), *(t.c[name] for name in RECORD_COLUMNS if name == "row_number" or name in columns))
        .where(_matches(page, positioned=True))
        .order_by(t.c.row_number, t.c.id)
        .limit(page.c.row_limit)
        .lateral("record")
    )
    return CompiledQuery(
        select(page.c.ordinality, *records.c)
        .select_from(page.join(data_imports, _of_tenant_imports(page)).join(records, true()))
        .order_by(page.c.ordinality, records.c.row_number, records.c._id)
    )


def _count_query() -> CompiledQuery:
    page = _keys("import_id", "is_valid", "is_processed")
    counted = select(func.count().label("total")).where(_matches(page, positioned=False)).lateral("counted")
    return CompiledQuery(
        select(page.c.ordinality, counted.c.total).select_from(page.join(data_imports, _of_tenant_imports(page)).join(counted, true()))
    )


_COUNTS = _count_query()


def _filters(keys: Sequence[RecordPageKey]) -> dict[str, list[bool | None]]:
    return {
        "is_valid": [k.filter.is_valid for k in keys],
        "is_processed": [k.filter.is_processed for k in keys],
    }


async def raw_record_pages(reader: Reader, *, tenant: Tenant, keys: Sequence[RecordPageKey]) -> list[list[Record]]:
    """Each key's page of records, in key order, rows in `(row_number, id)` order.

    A key whose import is not the tenant's gets an empty page.  Rows hold
    `_id` (the record's ID), `row_number` and the columns any of the keys asks for.  JSON columns
    (`raw_data`, `cleansed_data`, `validation_errors`) are JSON text.
    """
    rows = await reader.fetch(
        _pages_query(frozenset().union(*(k.columns for k in keys))),
        **tenant.columns(),
        import_id=[k.import_id for k in keys],
        after_row=[k.after.row_number for k in keys],
        after_id=[k.after.record_id for k in keys],
        row_limit=[k.limit for k in keys],
        **_filters(keys),
    )
    pages: list[list[Record]] = [[] for _ in keys]
    for row in rows:
        pages[row["ordinality"] - 1].append(row)
    return pages


async def count_raw_records(reader: Reader, *, tenant: Tenant, keys: Sequence[RecordPageKey]) -> list[int]:
    """How many records match each key's import and filter (position and limit ignored), in key order."""
    rows = await reader.fetch(_COUNTS, **tenant.columns(), import_id=[k.import_id for k in keys], **_filters(keys))
    totals = [0] * len(keys)
    for row in rows:
        totals[row["ordinality"] - 1] = row["total"]
    return totals
