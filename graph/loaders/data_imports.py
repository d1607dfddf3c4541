"""Loaders of data imports and their raw records, keyed by internal IDs that never leave the server."""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple
from uuid import UUID

from asyncpg import Record

from db.queries.data_imports import data_imports_by_ids
from db.queries.raw_records import RecordPageKey, count_raw_records, raw_record_pages
from graph.loaders.base import TenantLoader

__all__ = ["DataImportByIdLoader", "ImportKey", "RawRecordCountByPageKeyLoader", "RawRecordsByPageKeyLoader"]


class ImportKey(NamedTuple):
    """A `data_imports.id`, and the columns of the import wanted (`db.queries.data_imports.COLUMNS`)."""

    import_id: UUID
    columns: frozenset[str]


class DataImportByIdLoader(TenantLoader[ImportKey, Record | None]):
    """The tenant's data import of each key's `data_imports.id`, or None; one statement per batch, with the columns any key wants."""

    async def batch_load_fn(self, keys: Sequence[ImportKey]) -> list[Record | None]:
        import_ids = list(dict.fromkeys(key.import_id for key in keys))
        columns = frozenset().union(*(key.columns for key in keys))
        rows = await self.run(data_imports_by_ids, import_ids=import_ids, columns=columns)
        by_id = {row["id"]: row for row in rows}
        return [by_id.get(key.import_id) for key in keys]


class RawRecordsByPageKeyLoader(TenantLoader[RecordPageKey, list[Record]]):
    """Each page of records, all pages of a batch in one statement."""

    async def batch_load_fn(self, keys: Sequence[RecordPageKey]) -> list[list[Record]]:
        return await self.run(raw_record_pages, keys=keys)


class RawRecordCountByPageKeyLoader(TenantLoader[RecordPageKey, int]):
    """How many records each page key's import and filter match, in one statement."""

    async def batch_load_fn(self, keys: Sequence[RecordPageKey]) -> list[int]:
        return await self.run(count_raw_records, keys=keys)
