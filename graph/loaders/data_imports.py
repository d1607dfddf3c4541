"""Loaders of data imports and their raw records, keyed by internal IDs that never leave the server."""

from __future__ import annotations

from collections.abc import Sequence
from uuid import UUID

from asyncpg import Record

from db.queries.data_imports import data_imports_by_ids
from db.queries.raw_records import RecordPageKey, count_raw_records, raw_record_pages
from graph.loaders.base import TenantLoader
from graph.loaders.columns import RowByIdLoader

__all__ = ["DataImportByIdLoader", "RawRecordCountByPageKeyLoader", "RawRecordsByPageKeyLoader"]


class DataImportByIdLoader(RowByIdLoader):
    """The tenant's data import of each `data_imports.id`, or None, with the columns asked for (`db.queries.data_imports.COLUMNS`)."""

    id_column = "id"

    async def fetch(self, ids: list[UUID], columns: frozenset[str]) -> Sequence[Record]:
        return await self.run(data_imports_by_ids, import_ids=ids, columns=columns)


class RawRecordsByPageKeyLoader(TenantLoader[RecordPageKey, list[Record]]):
    """Each page of records, all pages of a batch in one statement."""

    async def load_batch(self, keys: Sequence[RecordPageKey]) -> list[list[Record]]:
        return await self.run(raw_record_pages, keys=keys)


class RawRecordCountByPageKeyLoader(TenantLoader[RecordPageKey, int]):
    """How many records each page key's import and filter match, in one statement."""

    async def load_batch(self, keys: Sequence[RecordPageKey]) -> list[int]:
        return await self.run(count_raw_records, keys=keys)
