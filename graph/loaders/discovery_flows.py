"""Loaders of discovery flows, keyed by their master flow's `flow_id`."""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple
from uuid import UUID

from asyncpg import Record

from db.queries.discovery_flows import discovery_flows_by_master_flow_ids
from graph.loaders.base import TenantLoader

__all__ = ["DiscoveryFlowByMasterFlowIdLoader", "DiscoveryKey"]


class DiscoveryKey(NamedTuple):
    """A master flow's `flow_id`, and the columns of its discovery flow wanted (`db.queries.discovery_flows.COLUMNS`)."""

    master_flow_id: UUID
    columns: frozenset[str]


class DiscoveryFlowByMasterFlowIdLoader(TenantLoader[DiscoveryKey, Record | None]):
    """The tenant's discovery flow of each master flow, or None; one statement per batch, with the columns any key wants."""

    async def batch_load_fn(self, keys: Sequence[DiscoveryKey]) -> list[Record | None]:
        master_flow_ids = list(dict.fromkeys(key.master_flow_id for key in keys))
        columns = frozenset().union(*(key.columns for key in keys))
        rows = await self.run(discovery_flows_by_master_flow_ids, master_flow_ids=master_flow_ids, columns=columns)
        by_master = {row["master_flow_id"]: row for row in rows}
        return [by_master.get(key.master_flow_id) for key in keys]
