"""What every loader shares: one engine, one tenant, one statement per batch."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, Generic, TypeVar

from aiodataloader import DataLoader
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from db.tenancy import Tenant

__all__ = ["TenantLoader"]

K = TypeVar("K")
V = TypeVar("V")
R = TypeVar("R")


class TenantLoader(DataLoader, Generic[K, V]):
    """A DataLoader scoped to one request's tenant.

    Subclasses implement `batch_load_fn(keys)` with one `db.queries` call
    through `run`, and return one value per key, in key order.
    """

    def __init__(self, engine: AsyncEngine, tenant: Tenant) -> None:
        super().__init__()
        self.engine = engine
        self.tenant = tenant

    async def run(self, query: Callable[..., Awaitable[R]], **arguments: Any) -> R:
        """Run `query(connection, tenant=..., **arguments)` on a pooled connection."""
        connection: AsyncConnection
        async with self.engine.connect() as connection:
            return await query(connection, tenant=self.tenant, **arguments)
