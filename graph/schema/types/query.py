"""The root query: master flows, and nothing else."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from enum import Enum
from typing import Annotated
from uuid import UUID

import strawberry

from db.queries import master_flows as queries
from graph.context import Context
from graph.errors import BadUserInput
from graph.execution.selection import Selection
from graph.loaders.master_flows import MasterFlowKey
from graph.schema.pagination import Connection, Window, check_page_size
from graph.schema.types.enums import MasterFlowStatus
from graph.schema.types.master_flow import MasterFlow, MasterFlowFilter, MasterFlowOrder, OrderDirection

__all__ = ["FLOW_PAGE_CAP", "Query"]

FLOW_PAGE_CAP = 100
DEFAULT_FLOW_PAGE = 20
_FLOW_CURSOR = "flow"


def _value_filter(selected: Sequence[Enum]) -> queries.ValueFilter:
    """The SQL filter for enum values; UNKNOWN stands for every value outside the enum."""
    enum = type(selected[0]) if selected else None
    known = frozenset(member.value for member in enum if member.name != "UNKNOWN") if enum else frozenset()
    return queries.ValueFilter(
        values=frozenset(value.value for value in selected if value.name != "UNKNOWN"),
        outside_of=known if any(value.name == "UNKNOWN" for value in selected) else None,
    )


_NOT_DELETED = queries.ValueFilter(outside_of=frozenset({"deleted"}))  # MasterFlowStatus.DELETED, as stored
"""Every status but the platform's soft delete: the list's default."""


def _status_filter(selected: list[MasterFlowStatus] | None) -> queries.ValueFilter:
    """The statuses a list keeps: those `selected`, else every one but DELETED (soft-deleted flows)."""
    return _NOT_DELETED if selected is None else _value_filter(selected)


def _ordering(order: MasterFlowOrder) -> queries.MasterFlowOrder:
    return queries.MasterFlowOrder(field=order.field.value, descending=order.direction is OrderDirection.DESC)


def _ordering_tag(ordering: queries.MasterFlowOrder) -> str:
    return f"{ordering.field}:{'desc' if ordering.descending else 'asc'}"


def _flow_key(context: Context, cursor: str | None, tag: str) -> queries.FlowKey | None:
    if cursor is None:
        return None
    position = context.cursors.decode(cursor, _FLOW_CURSOR, tag)
    try:
        timestamp, flow_id = position
        return datetime.fromisoformat(timestamp), UUID(flow_id)
    except (TypeError, ValueError):
        raise BadUserInput("The cursor is not valid for this list.") from None


@strawberry.type(description="The entry points of the API: master flows, by their master flow ID.")
class Query:
    @strawberry.field(description="The master flow with this ID; null when there is none, or it belongs to another tenant.")
    async def master_flow(
        self,
        info: strawberry.Info[Context],
        flow_id: Annotated[UUID, strawberry.argument(description="The master flow ID.")],
    ) -> MasterFlow | None:
        configured = MasterFlow.reads_configuration(Selection.of(info).names())
        row = await info.context.loaders.master_flow_by_flow_id.load(MasterFlowKey(flow_id, configured))
        return MasterFlow.builder(configured)(row) if row else None

    @strawberry.field(description="The tenant's master flows, a page at a time (keyset pagination).")
    async def master_flows(
        self,
        info: strawberry.Info[Context],
        first: Annotated[
            int | None,
            strawberry.argument(
                description=f"Page size from the start, 1 to {FLOW_PAGE_CAP} ({DEFAULT_FLOW_PAGE} when neither first nor last is given)."
            ),
        ] = None,
        after: Annotated[str | None, strawberry.argument(description="Start after this cursor.")] = None,
        last: Annotated[int | None, strawberry.argument(description=f"Page size from the end, 1 to {FLOW_PAGE_CAP}.")] = None,
        before: Annotated[str | None, strawberry.argument(description="End before this cursor.")] = None,
        filter: Annotated[MasterFlowFilter | None, strawberry.argument(description="Keep matching flows only.")] = None,
        order_by: Annotated[
            MasterFlowOrder | None, strawberry.argument(description="The order of the list; newest created first by default.")
        ] = None,
    ) -> Connection[MasterFlow]:
        if first is not None and last is not None:
            raise BadUserInput("Pass either `first` or `last`, not both.")
        check_page_size("first", first, FLOW_PAGE_CAP)
        check_page_size("last", last, FLOW_PAGE_CAP)
        context = info.context
        ordering = _ordering(order_by or MasterFlowOrder())
        tag = _ordering_tag(ordering)
        flow_filter = queries.MasterFlowFilter(
            flow_type=_value_filter(filter.flow_types) if filter and filter.flow_types is not None else None,
            status=_status_filter(filter.statuses if filter else None),
            active=filter.active if filter else None,
        )
        size = last if last is not None else first or DEFAULT_FLOW_PAGE
        from_end = last is not None
        selection = Selection.of(info)
        configured = MasterFlow.reads_configuration(selection.names("edges", "node") | selection.names("nodes"))
        rows = await queries.master_flow_page(
            context.reader,
            tenant=context.tenant,
            filter=flow_filter,
            order=ordering,
            after=_flow_key(context, after, tag),
            before=_flow_key(context, before, tag),
            limit=size + 1,
            configured=configured,
            from_end=from_end,
        )
        more = len(rows) > size
        rows = rows[-size:] if from_end else rows[:size]
        context.loaders.master_flow_by_flow_id.remember(rows, configured=configured)

        async def count() -> int:
            return await queries.count_master_flows(context.reader, tenant=context.tenant, filter=flow_filter)

        return Connection(
            nodes=list(map(MasterFlow.builder(configured), rows)),
            _window=Window(
                has_next_page=more if not from_end else before is not None,
                has_previous_page=more if from_end else after is not None,
                cursors_of=lambda flows: context.cursors.encode_many(
                    _FLOW_CURSOR, tag, [(queries.sort_timestamp(getattr(flow, ordering.field)).isoformat(), str(flow.flow_id)) for flow in flows]
                ),
                count=count,
            ),
        )
