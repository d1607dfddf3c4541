"""Loaders of master flows, keyed by the public `flow_id`."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from uuid import UUID

from asyncpg import Record

from db.queries.master_flows import child_flows_by_parent_flow_ids, master_flows_by_flow_ids
from db.reader import Reader
from db.tenancy import Tenant
from graph.loaders.base import TenantLoader

__all__ = ["ChildFlowsByParentFlowIdLoader", "MasterFlowByFlowIdLoader"]


class MasterFlowByFlowIdLoader(TenantLoader[UUID, Record | None]):
    """The tenant's master flow of each `flow_id`, or None; flows this request already read are not read again."""

    def __init__(self, reader: Reader, tenant: Tenant) -> None:
        super().__init__(reader, tenant)
        self._known: dict[UUID, Record] = {}

    def remember(self, rows: Iterable[Record]) -> None:
        """Keep master flow rows this request read otherwise (a page of flows), so loading them needs no statement."""
        self._known.update((row["flow_id"], row) for row in rows)

    async def load_batch(self, flow_ids: Sequence[UUID]) -> list[Record | None]:
        known = self._known
        if missing := [flow_id for flow_id in flow_ids if flow_id not in known]:
            self.remember(await self.run(master_flows_by_flow_ids, flow_ids=missing))
        return [known.get(flow_id) for flow_id in flow_ids]


class ChildFlowsByParentFlowIdLoader(TenantLoader[UUID, list[Record]]):
    """The tenant's child flows of each parent `flow_id`, oldest first."""

    async def load_batch(self, parent_flow_ids: Sequence[UUID]) -> list[list[Record]]:
        rows = await self.run(child_flows_by_parent_flow_ids, parent_flow_ids=parent_flow_ids)
        by_parent: defaultdict[UUID, list[Record]] = defaultdict(list)
        for row in rows:
            by_parent[row["parent_flow_id"]].append(row)
        return [by_parent.get(parent, []) for parent in parent_flow_ids]
