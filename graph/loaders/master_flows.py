"""Loaders of master flows, keyed by the public `flow_id`."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import NamedTuple
from uuid import UUID

from asyncpg import Record

from db.queries.master_flows import child_flows_by_parent_flow_ids, master_flows_by_flow_ids
from db.reader import Reader
from db.tenancy import Tenant
from graph.loaders.base import TenantLoader

__all__ = ["ChildFlowsByParentFlowIdLoader", "MasterFlowByFlowIdLoader", "MasterFlowKey"]


class MasterFlowKey(NamedTuple):
    """A master flow's `flow_id`, and whether its row must hold the values from its configuration (`CONFIGURED_COLUMNS`)."""

    flow_id: UUID
    configured: bool


class MasterFlowByFlowIdLoader(TenantLoader[MasterFlowKey, Record | None]):
    """The tenant's master flow of each key, or None; flows this request already read, with the columns wanted, are not read again.

    A batch reads the configuration's values for all its flows when any key wants them.
    """

    def __init__(self, reader: Reader, tenant: Tenant) -> None:
        super().__init__(reader, tenant)
        self._known: dict[UUID, tuple[Record, bool]] = {}  # flow_id -> (row, whether it holds the configuration's values)

    def remember(self, rows: Iterable[Record], *, configured: bool) -> None:
        """Keep master flow rows this request read otherwise (a page of flows), so loading them needs no statement."""
        known = self._known
        for row in rows:
            flow_id = row["flow_id"]
            if configured or not known.get(flow_id, (None, False))[1]:  # never trade a row for one holding less
                known[flow_id] = (row, configured)

    def _knows(self, key: MasterFlowKey) -> bool:
        known = self._known.get(key.flow_id)
        return known is not None and (known[1] or not key.configured)

    async def load_batch(self, keys: Sequence[MasterFlowKey]) -> list[Record | None]:
        if missing := [key for key in keys if not self._knows(key)]:
            configured = any(key.configured for key in missing)
            flow_ids = list(dict.fromkeys(key.flow_id for key in missing))
            self.remember(await self.run(master_flows_by_flow_ids, flow_ids=flow_ids, configured=configured), configured=configured)
        known = self._known
        return [known[key.flow_id][0] if key.flow_id in known else None for key in keys]


class ChildFlowsByParentFlowIdLoader(TenantLoader[MasterFlowKey, list[Record]]):
    """The tenant's child flows of each parent (the key's `flow_id`), oldest first; one statement for a batch, as `MasterFlowByFlowIdLoader`."""

    async def load_batch(self, keys: Sequence[MasterFlowKey]) -> list[list[Record]]:
        parent_flow_ids = list(dict.fromkeys(key.flow_id for key in keys))
        rows = await self.run(child_flows_by_parent_flow_ids, parent_flow_ids=parent_flow_ids, configured=any(key.configured for key in keys))
        by_parent: defaultdict[UUID, list[Record]] = defaultdict(list)
        for row in rows:
            by_parent[row["parent_flow_id"]].append(row)
        return [by_parent.get(key.flow_id, []) for key in keys]
