"""Raw import records: the rows of an import as they arrived."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any
from uuid import UUID

import strawberry
from asyncpg import Record
from strawberry.scalars import JSON

from db.queries.raw_records import RECORD_COLUMNS
from graph.execution.selection import Selection
from graph.schema.batching import batched
from graph.schema.rows import RowMapping
from graph.schema.types.asset import Asset

if TYPE_CHECKING:
    from graph.context import Context

__all__ = ["RawImportRecord", "RawImportRecordFilter"]


async def _assets(records: Sequence[RawImportRecord], context: Context, arguments: dict[str, Any], selection: Selection) -> list[Asset | None]:
    """`RawImportRecord.asset` for a whole page (or level) of records at once: one statement."""
    rows = await context.loaders.asset_by_record.load_many([record._id for record in records])
    return [Asset.from_row(row) if row else None for row in rows]


@strawberry.type(description="One row of a data import, as imported, with its validation outcome.")
class RawImportRecord:
    _id: strawberry.Private[UUID]  # positions the record in its cursor, sealed; never a field
    row_number: int = strawberry.field(
        description="The row's 1-based position in the imported file, as the platform stored it: it can repeat and skip."
    )
    raw_data: JSON = strawberry.field(description="The row as imported: a JSON object of column to value.")
    cleansed_data: JSON | None = strawberry.field(description="The row after cleansing, once processed.")
    validation_errors: JSON | None = strawberry.field(description="Why the row failed validation, if it did.")
    processing_notes: str | None = strawberry.field(description="Free-text notes left by processing.")
    is_processed: bool | None = strawberry.field(description="Whether processing has handled the row; null where the platform did not record it.")
    is_valid: bool | None = strawberry.field(description="Whether the row passed validation; null where the platform did not record it.")
    created_at: datetime | None = strawberry.field(description="When the row was imported; null where the platform did not record it.")
    processed_at: datetime | None = strawberry.field(description="When the row was processed, if it was.")

    @batched(_assets, description="The inventory asset this row became, if it became one (and it is not deleted).")
    async def asset(self, info: strawberry.Info) -> Asset | None: ...

    @classmethod
    def columns_for(cls, fields: Iterable[str]) -> frozenset[str]:
        """The columns (of `RECORD_COLUMNS`) to read for the GraphQL `fields` of a record."""
        return _RECORD_ROW.columns_for(fields)

    @classmethod
    def builder(cls, columns: frozenset[str]) -> Callable[[Record], RawImportRecord]:
        """Records from rows of a page that read `columns` (`db.queries.raw_records.raw_record_pages`)."""
        return _RECORD_ROW.builder(cls, columns | _ALWAYS_READ)


_RECORD_ROW = RowMapping(_id="_id", **{column: column for column in RECORD_COLUMNS})
_ALWAYS_READ = frozenset({"_id", "row_number"})


@strawberry.input(description="Conditions on records; omitted conditions match every record.")
class RawImportRecordFilter:
    is_valid: bool | None = strawberry.field(default=None, description="Only valid (true) or invalid (false) records.")
    is_processed: bool | None = strawberry.field(default=None, description="Only processed (true) or unprocessed (false) records.")
