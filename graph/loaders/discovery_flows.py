"""Loaders of discovery flows, keyed by their master flow's `flow_id`."""

from __future__ import annotations

from collections.abc import Sequence
from uuid import UUID

from asyncpg import Record

from db.queries.discovery_flows import discovery_flows_by_master_flow_ids
from graph.loaders.base import TenantLoader

__all__ = ["DiscoveryFlowByMasterFlowIdLoader"]


class DiscoveryFlowByMasterFlowIdLoader(TenantLoader[UUID, Record | None]):
    """The tenant's discovery flow of each master `flow_id`, or None."""

    async def batch_load_fn(self, master_flow_ids: Sequence[UUID]) -> list[Record | None]:
        rows = await self.run(discovery_flows_by_master_flow_ids, master_flow_ids=master_flow_ids)
        by_master = {row["master_flow_id"]: row for row in rows}
        return [by_master.get(flow_id) for flow_id in master_flow_ids]
