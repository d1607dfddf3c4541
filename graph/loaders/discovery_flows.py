"""Loaders of discovery flows, keyed by their master flow's `flow_id`."""

from __future__ import annotations

from collections.abc import Sequence
from uuid import UUID

from asyncpg import Record

from db.queries.discovery_flows import discovery_flows_by_master_flow_ids
from graph.loaders.columns import RowByIdLoader

__all__ = ["DiscoveryFlowByMasterFlowIdLoader"]


class DiscoveryFlowByMasterFlowIdLoader(RowByIdLoader):
    """The tenant's discovery flow of each master flow `flow_id`, or None, with the columns asked for (`db.queries.discovery_flows.COLUMNS`)."""

    id_column = "master_flow_id"

    async def fetch(self, ids: list[UUID], columns: frozenset[str]) -> Sequence[Record]:
        return await self.run(discovery_flows_by_master_flow_ids, master_flow_ids=ids, columns=columns)
