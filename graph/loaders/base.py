"""What every loader shares: one reader, one tenant, one statement per batch."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, Generic, TypeVar

from aiodataloader import DataLoader

from db.reader import Reader
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

    def __init__(self, reader: Reader, tenant: Tenant) -> None:
        super().__init__()
        self.reader = reader
        self.tenant = tenant

    async def run(self, query: Callable[..., Awaitable[R]], **arguments: Any) -> R:
        """Run the `db.queries` function `query(reader, tenant=..., **arguments)`."""
        return await query(self.reader, tenant=self.tenant, **arguments)
