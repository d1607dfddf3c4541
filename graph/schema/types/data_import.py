"""Data imports: reached only as `DiscoveryFlow.dataImport`, never by ID."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Any
from uuid import UUID

import strawberry
from asyncpg import Record

from db.queries.field_mappings import FIELD_MAPPINGS
from db.queries.raw_records import BEFORE_FIRST, RecordFilter, RecordPageKey, RecordPosition
from graph.errors import BadUserInput
from graph.execution.selection import Selection
from graph.schema.batching import batched
from graph.schema.child_connections import ChildConnection
from graph.schema.pagination import Connection, Window, check_page_size
from graph.schema.rows import Derived, Enumerated, RowMapping
from graph.schema.types.enums import ImportStatus, ImportType
from graph.schema.types.field_mapping import FieldMapping, FieldMappingFilter, FieldMappingSummary
from graph.schema.types.raw_record import RawImportRecord, RawImportRecordFilter

if TYPE_CHECKING:
    from graph.context import Context

__all__ = ["FIELD_MAPPING_PAGE_CAP", "RECORD_PAGE_CAP", "DataImport"]

RECORD_PAGE_CAP = 500
FIELD_MAPPING_PAGE_CAP = 500
# A new kind, not a new ordering, when the position changes: earlier cursors (`["record", "row_number", n]`)
# are then refused as not of this list, rather than misread.
_RECORD_CURSOR = ("records", "row_number,id")


def _after(cursor: str | None, context: Context) -> RecordPosition:
    if cursor is None:
        return BEFORE_FIRST
    position = context.cursors.decode(cursor, *_RECORD_CURSOR)
    if len(position) != 2 or type(position[0]) is not int:
        raise BadUserInput("The cursor is not valid for this list.")
    return RecordPosition(position[0], context.cursors.unseal(position[1]))


async def _record_pages(
    imports: Sequence[DataImport], context: Context, arguments: dict[str, Any], selection: Selection
) -> list[Connection[RawImportRecord] | Exception]:
    """`DataImport.rawRecords` for many imports at once, one statement (see graph.schema.batching).

    `arguments` are GraphQL's (`first`, `after`, `filter: {isValid, isProcessed}`);
    invalid ones fail every import's page alike.  Only the columns of the
    record fields `selection` asks for are read.
    """
    first, after, filter = arguments["first"], arguments.get("after"), arguments.get("filter") or {}
    try:
        check_page_size("first", first, RECORD_PAGE_CAP)
        after_position = _after(after, context)
    except BadUserInput as error:
        return [error] * len(imports)
    record_filter = RecordFilter(is_valid=filter.get("isValid"), is_processed=filter.get("isProcessed"))
    loaders, cursors = context.loaders, context.cursors
    columns = RawImportRecord.columns_for(selection.names("edges", "node") | selection.names("nodes"))
    keys = [RecordPageKey(data_import._id, after_position, first + 1, record_filter, columns) for data_import in imports]
    pages = await loaders.raw_records_by_page_key.load_many(keys)
    build = RawImportRecord.builder(columns)

    def connection(key: RecordPageKey, rows: list[Record]) -> Connection[RawImportRecord]:
        return Connection(
            nodes=[build(row) for row in rows[:first]],
            _window=Window(
                has_next_page=len(rows) > first,
                has_previous_page=after is not None,
                cursors_of=lambda records: cursors.encode_sealing(
                    *_RECORD_CURSOR, [record.row_number for record in records], [record._id for record in records]
                ),
                count=lambda: loaders.raw_record_count_by_page_key.load(RecordPageKey(key.import_id, BEFORE_FIRST, 0, record_filter)),
            ),
        )

    return [connection(key, rows) for key, rows in zip(keys, pages, strict=True)]


_FIELD_MAPPINGS = ChildConnection(
    FIELD_MAPPINGS,
    kind="field_mappings",
    cap=FIELD_MAPPING_PAGE_CAP,
    loaders=lambda context: context.loaders.field_mappings,
    parent_id=lambda data_import: data_import._id,
    node=FieldMapping.from_row,
    filters=("statuses",),
)


async def _mapping_summaries(
    imports: Sequence[DataImport], context: Context, arguments: dict[str, Any], selection: Selection
) -> list[FieldMappingSummary]:
    """`DataImport.fieldMappingSummary` for many imports at once: one grouped statement."""
    counts = await context.loaders.field_mapping_status_counts.load_many([data_import._id for data_import in imports])
    return [FieldMappingSummary.of(by_status) for by_status in counts]


_DATA_IMPORT_ROW = RowMapping(
    _id="id",
    name="import_name",
    import_type=Enumerated(ImportType, "import_type"),
    category="import_category",
    filename="filename",
    file_size="file_size",
    mime_type="mime_type",
    source_system="source_system",
    status=Enumerated(ImportStatus, "status"),
    progress_percentage="progress_percentage",
    total_records="total_records",
    processed_records="processed_records",
    failed_records="failed_records",
    error_message="error_message",
    started_at="started_at",
    created_at="created_at",
    completed_at="completed_at",
    updated_at=Derived(lambda row: row["updated_at"] or row["created_at"], ("updated_at", "created_at")),  # set on update only
)


@strawberry.type(description="A file or feed of records imported for a discovery flow.")
class DataImport:
    _id: strawberry.Private[UUID]
    name: str | None = strawberry.field(description="The import's name.")
    import_type: ImportType = strawberry.field(description="What the import holds; UNKNOWN for values outside the list.")
    import_type_raw: str | None = strawberry.field(description="The import type exactly as stored.")
    category: str | None = strawberry.field(description="The import's category.")
    filename: str | None = strawberry.field(description="The uploaded file's name.")
    file_size: float | None = strawberry.field(description="The uploaded file's size in bytes.")
    mime_type: str | None = strawberry.field(description="The uploaded file's MIME type.")
    source_system: str | None = strawberry.field(description="The system the data came from.")
    status: ImportStatus = strawberry.field(description="Where the import is; UNKNOWN for values outside the list.")
    status_raw: str = strawberry.field(description="The status exactly as stored.")
    progress_percentage: float | None = strawberry.field(description="Progress of the import, 0 to 100.")
    total_records: int | None = strawberry.field(description="How many records the import holds.")
    processed_records: int | None = strawberry.field(description="How many records were processed.")
    failed_records: int | None = strawberry.field(description="How many records failed.")
    error_message: str | None = strawberry.field(description="Why the import failed, if it did.")
    started_at: datetime | None = strawberry.field(description="When the import started.")
    created_at: datetime | None = strawberry.field(description="When the import was created; null where the platform did not record it.")
    completed_at: datetime | None = strawberry.field(description="When the import completed.")
    updated_at: datetime | None = strawberry.field(
        description="When the import last changed: its `createdAt` until it is first updated (the platform sets it on update only)."
    )

    @classmethod
    def columns_for(cls, fields: frozenset[str]) -> frozenset[str]:
        """The columns (`db.queries.data_imports.COLUMNS`) that selecting `fields` of an import reads."""
        return _DATA_IMPORT_ROW.columns_for(fields, _RESOLVERS_READ)

    @classmethod
    def builder(cls, columns: frozenset[str]) -> Callable[[Record], DataImport]:
        """Imports from rows holding `columns`."""
        return _DATA_IMPORT_ROW.builder(cls, columns)

    @batched(
        _record_pages,
        description=(
            "The import's records in row order, a page at a time (keyset pagination). Row numbers can repeat "
            "and skip; records with the same row number come in a fixed order, each exactly once."
        ),
    )
    async def raw_records(
        self,
        info: strawberry.Info,
        first: Annotated[int, strawberry.argument(description=f"Page size, 1 to {RECORD_PAGE_CAP}.")] = 50,
        after: Annotated[str | None, strawberry.argument(description="Start after this cursor.")] = None,
        filter: Annotated[RawImportRecordFilter | None, strawberry.argument(description="Keep matching records only.")] = None,
    ) -> Connection[RawImportRecord]: ...

    @batched(_FIELD_MAPPINGS.resolve, description="How the import's source columns map to asset attributes, oldest first, a page at a time.")
    async def field_mappings(
        self,
        info: strawberry.Info,
        first: Annotated[int, strawberry.argument(description=f"Page size, 1 to {FIELD_MAPPING_PAGE_CAP}.")] = 100,
        after: Annotated[str | None, strawberry.argument(description="Start after this cursor.")] = None,
        filter: Annotated[FieldMappingFilter | None, strawberry.argument(description="Keep matching mappings only.")] = None,
    ) -> Connection[FieldMapping]: ...

    @batched(_mapping_summaries, description="How many of the import's field mappings are in each status.")
    async def field_mapping_summary(self, info: strawberry.Info) -> FieldMappingSummary: ...


_RESOLVERS_READ = {name: ("_id",) for name in ("rawRecords", "fieldMappings", "fieldMappingSummary")}
"""The attributes each resolver field of an import reads: its ID, which keys its pages."""
