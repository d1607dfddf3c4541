"""Loaders of assets, keyed by the ID of the raw record each became (never by an asset's ID)."""

from __future__ import annotations

from collections.abc import Sequence
from uuid import UUID

from asyncpg import Record

from db.queries.assets import assets_by_record_ids
from graph.loaders.base import TenantLoader

__all__ = ["AssetByRecordLoader"]


class AssetByRecordLoader(TenantLoader[UUID, Record | None]):
    """The tenant's asset each raw record became, or None."""

    async def load_batch(self, record_ids: Sequence[UUID]) -> list[Record | None]:
        rows = await self.run(assets_by_record_ids, record_ids=record_ids)
        by_record = {row["record_id"]: row for row in rows}
        return [by_record.get(record_id) for record_id in record_ids]
