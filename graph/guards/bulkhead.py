"""The bulkhead: at most HEAVY_QUERY_CONCURRENCY heavy operations run at a time in a process.

An operation is heavy when it may return HEAVY_QUERY_NODES nodes or more
(`graph.guards.limits.NodeLimit.measure`).  Heavy operations queue for a slot in
arrival order; the others never wait here.  So a flood of heavy queries
holds only that many pooled connections, and that many turns of the event
loop, at a time: the rest of the pool and of the CPU stays with the cheap
queries.  The wait for a slot counts toward the operation's REQUEST_TIMEOUT_MS.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

__all__ = ["Bulkhead"]


class Bulkhead:
    """Admits any number of light operations, and `concurrency` heavy ones (`heavy_nodes` or more) at a time."""

    def __init__(self, *, heavy_nodes: int, concurrency: int) -> None:
        self.heavy_nodes = heavy_nodes
        self._slots = asyncio.Semaphore(concurrency)

    @asynccontextmanager
    async def admit(self, nodes: int) -> AsyncIterator[None]:
        """Run the block as an operation that may return `nodes` nodes, once one such may run."""
        if nodes < self.heavy_nodes:
            yield
            return
        async with self._slots:
            yield
