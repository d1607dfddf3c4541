"""Master flows: the only entry point of the API, keyed by the public `flowId`."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from enum import Enum
from typing import TYPE_CHECKING, Any
from uuid import UUID

import strawberry
from asyncpg import Record

from db.queries.master_flows import CONFIGURED_COLUMNS, PLAIN_COLUMNS
from graph.execution.selection import Selection
from graph.loaders.columns import ColumnsKey
from graph.loaders.master_flows import MasterFlowKey
from graph.schema.batching import batched
from graph.schema.rows import Enumerated, RowMapping
from graph.schema.types.discovery_flow import DiscoveryFlow
from graph.schema.types.enums import FlowType, MasterFlowStatus

if TYPE_CHECKING:
    from graph.context import Context

__all__ = ["MasterFlow", "MasterFlowFilter", "MasterFlowOrder", "MasterFlowOrderField", "OrderDirection"]


async def _discoveries(flows: Sequence[MasterFlow], context: Context, arguments: dict[str, Any], selection: Selection) -> list[DiscoveryFlow | None]:
    """`MasterFlow.discovery` for many flows at once (see graph.schema.batching), reading only the columns selected."""
    columns = DiscoveryFlow.columns_for(selection.names())
    rows = await context.loaders.discovery_flow_by_master_flow_id.load_many([ColumnsKey(flow.flow_id, columns) for flow in flows])
    build = DiscoveryFlow.builder(columns)
    return [build(row) if row else None for row in rows]


async def _parents(flows: Sequence[MasterFlow], context: Context, arguments: dict[str, Any], selection: Selection) -> list[MasterFlow | None]:
    """`MasterFlow.parentFlow` for many flows at once."""
    parent_ids = [flow._parent_flow_id for flow in flows]
    configured = MasterFlow.reads_configuration(selection.names())
    rows = await context.loaders.master_flow_by_flow_id.load_many([MasterFlowKey(i, configured) for i in parent_ids if i is not None])
    by_id = {row["flow_id"]: row for row in rows if row}
    build = MasterFlow.builder(configured)
    return [build(by_id[i]) if i in by_id else None for i in parent_ids]


async def _children(flows: Sequence[MasterFlow], context: Context, arguments: dict[str, Any], selection: Selection) -> list[list[MasterFlow]]:
    """`MasterFlow.childFlows` for many flows at once."""
    configured = MasterFlow.reads_configuration(selection.names())
    pages = await context.loaders.child_flows_by_parent_flow_id.load_many([MasterFlowKey(flow.flow_id, configured) for flow in flows])
    build = MasterFlow.builder(configured)
    return [[build(row) for row in rows] for rows in pages]


_MASTER_FLOW_ROW = RowMapping(
    flow_id="flow_id",
    flow_type=Enumerated(FlowType, "flow_type"),
    name="flow_name",
    status=Enumerated(MasterFlowStatus, "flow_status"),
    created_at="created_at",
    updated_at="updated_at",
    _parent_flow_id="parent_flow_id",
    import_category="import_category",
    filename="filename",
)


@strawberry.type(description="A CrewAI flow of the migration platform, identified by its master flow ID.")
class MasterFlow:
    flow_id: UUID = strawberry.field(description="The master flow ID: the one ID the API knows.")
    flow_type: FlowType = strawberry.field(description="What the flow does; UNKNOWN for values outside the list.")
    flow_type_raw: str = strawberry.field(description="The flow type exactly as stored.")
    name: str | None = strawberry.field(description="The flow's name.")
    status: MasterFlowStatus = strawberry.field(description="Where the flow is; UNKNOWN for values outside the list.")
    status_raw: str = strawberry.field(description="The status exactly as stored.")
    created_at: datetime | None = strawberry.field(description="When the flow was created; null where the platform did not record it.")
    updated_at: datetime | None = strawberry.field(description="When the flow last changed; null where the platform did not record it.")
    import_category: str | None = strawberry.field(
        description="The category of the data the flow imports (e.g. `cmdb_export`), from its configuration; null when it has none."
    )
    filename: str | None = strawberry.field(description="The name of the file the flow imports, from its configuration; null when it has none.")
    _parent_flow_id: strawberry.Private[UUID | None]

    @classmethod
    def reads_configuration(cls, fields: frozenset[str]) -> bool:
        """Whether selecting `fields` of a master flow needs its row's `CONFIGURED_COLUMNS`."""
        return not CONFIGURED_COLUMNS.isdisjoint(_MASTER_FLOW_ROW.columns_for(fields))

    @classmethod
    def builder(cls, configured: bool) -> Callable[[Record], MasterFlow]:
        """Master flows from rows read `configured` or not (`db.queries.master_flows`)."""
        return _MASTER_FLOW_ROW.builder(cls, PLAIN_COLUMNS | CONFIGURED_COLUMNS if configured else PLAIN_COLUMNS)

    @batched(_discoveries, description="The discovery flow behind this master flow, if it has one.")
    async def discovery(self, info: strawberry.Info) -> DiscoveryFlow | None: ...

    @batched(_parents, description="The flow this one was started from, if any.")
    async def parent_flow(self, info: strawberry.Info) -> MasterFlow | None: ...

    @batched(_children, description="The flows started from this one, oldest first.")
    async def child_flows(self, info: strawberry.Info) -> list[MasterFlow]: ...


@strawberry.enum(description="The timestamps master flows can be ordered by.")
class MasterFlowOrderField(Enum):
    CREATED_AT = "created_at"
    UPDATED_AT = "updated_at"


@strawberry.enum(description="Ascending or descending order.")
class OrderDirection(Enum):
    ASC = "asc"
    DESC = "desc"


@strawberry.input(description="How to order master flows; ties are broken by flow ID.")
class MasterFlowOrder:
    field: MasterFlowOrderField = strawberry.field(default=MasterFlowOrderField.CREATED_AT, description="The timestamp to order by.")
    direction: OrderDirection = strawberry.field(default=OrderDirection.DESC, description="The direction.")


@strawberry.input(description="Conditions on master flows; a list matches any of its values, omitted conditions match every flow.")
class MasterFlowFilter:
    flow_types: list[FlowType] | None = strawberry.field(
        default=None, description="Only flows of these types (UNKNOWN matches every undocumented type)."
    )
    statuses: list[MasterFlowStatus] | None = strawberry.field(
        default=None,
        description="Only flows in these statuses (UNKNOWN matches every undocumented status). Without it, every status but DELETED.",
    )
    active: bool | None = strawberry.field(
        default=None,
        description=(
            "true: only the platform's active flows, which leaves out COMPLETED, FAILED, ERROR, DELETED, CANCELLED and "
            "CHILD_FLOWS_DELETED flows; false: only those (DELETED still only when `statuses` names it)."
        ),
    )
