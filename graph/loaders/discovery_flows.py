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
    """A master flow's `flow_id`, and whether its discovery flow's JSON state is wanted too."""

    master_flow_id: UUID
    with_state: bool = False


class DiscoveryFlowByMasterFlowIdLoader(TenantLoader[DiscoveryKey, Record | None]):
    """The tenant's discovery flow of each master flow, or None; one statement per batch, with the state if any key wants it."""

    async def batch_load_fn(self, keys: Sequence[DiscoveryKey]) -> list[Record | None]:
        master_flow_ids = list(dict.fromkeys(key.master_flow_id for key in keys))
        with_state = any(key.with_state for key in keys)
        rows = await self.run(discovery_flows_by_master_flow_ids, master_flow_ids=master_flow_ids, with_state=with_state)
        by_master = {row["master_flow_id"]: row for row in rows}
        return [by_master.get(key.master_flow_id) for key in keys]
