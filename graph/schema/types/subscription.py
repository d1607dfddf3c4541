"""The root subscription: a master flow, pushed when it changes."""

from __future__ import annotations

import logging
from collections.abc import AsyncGenerator
from typing import Annotated
from uuid import UUID

import strawberry

from graph.context import Context
from graph.errors import SubscriptionsUnavailable, is_database_unavailable
from graph.execution.selection import Selection
from graph.loaders.master_flows import MasterFlowKey
from graph.observability.metrics import OPEN_SUBSCRIPTIONS
from graph.schema.types.master_flow import MasterFlow

__all__ = ["Subscription"]

log = logging.getLogger("flowgate.subscriptions")


@strawberry.type(description="Pushes over WebSocket (graphql-transport-ws at /graphql): master flows, as they change.")
class Subscription:
    @strawberry.subscription(
        description=(
            "The master flow with this ID, pushed whenever it, its discovery flow, that flow's data import or the"
            " import's records change (not at once: query `masterFlow` for the current state). Changes close"
            " together arrive as one push. A flow that does not exist or belongs to another tenant pushes nothing,"
            " and the subscription stays open. On a database without Flowgate's change triggers the subscription"
            " fails at once with SUBSCRIPTIONS_UNAVAILABLE."
        )
    )
    async def master_flow_changed(
        self,
        info: strawberry.Info[Context],
        flow_id: Annotated[UUID, strawberry.argument(description="The master flow ID.")],
    ) -> AsyncGenerator[MasterFlow | None, None]:
        context = info.context
        assert context.changes is not None, "subscriptions run only over WebSocket, whose contexts have the listener"  # noqa: S101
        if await context.changes.lacks_triggers():
            raise SubscriptionsUnavailable(
                "Subscriptions are unavailable: the database lacks Flowgate's change triggers, so no change would"
                " be pushed. Query masterFlow instead, or ask an operator to install them (python -m db triggers)."
            )
        configured = MasterFlow.reads_configuration(Selection.of(info).names())
        build = MasterFlow.builder(configured)
        with OPEN_SUBSCRIPTIONS.track_inprogress(), context.changes.subscribe(context.tenant, flow_id) as changes:
            async for _ in changes:
                # A fresh loader per push: a cached row would hide the change being pushed.
                try:
                    row = await context.renewed().loaders.master_flow_by_flow_id.load(MasterFlowKey(flow_id, configured))
                except Exception as error:
                    if not is_database_unavailable(error):
                        raise
                    log.warning("Cannot re-read a changed flow (%s); retrying.", error)
                    changes.wake()  # the next step retries, one coalescing window later
                    continue
                if row is not None:
                    yield build(row)
