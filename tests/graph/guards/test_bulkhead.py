"""The bulkhead admits light operations at once and heavy ones a few at a time."""

from __future__ import annotations

import asyncio

from graph.guards.bulkhead import Bulkhead


async def enter(bulkhead: Bulkhead, nodes: int, entered: list[int]) -> None:
    async with bulkhead.admit(nodes):
        entered.append(nodes)
        await asyncio.sleep(0)


async def test_heavy_operations_wait_for_a_slot_and_light_ones_never_do():
    bulkhead = Bulkhead(heavy_nodes=100, concurrency=1)
    entered: list[int] = []

    async with bulkhead.admit(100):
        heavy = asyncio.create_task(enter(bulkhead, 100, entered))
        await enter(bulkhead, 99, entered)
        await asyncio.sleep(0.01)
        waited = list(entered)
    await heavy

    assert waited == [99]
    assert entered == [99, 100]
