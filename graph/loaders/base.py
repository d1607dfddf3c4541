"""What every loader shares: one reader, one tenant, one statement per batch."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
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

    async def load_many(self, keys: Iterable[K]) -> list[V]:  # type: ignore[override]
        """The values of `keys`, from this loader's next batch, as DataLoader's own `load_many`.

        Awaited one by one: once the batch is in, every future is done and the
        awaits return at once, without the future and callback per key that
        gathering them costs (a page of 100 flows loads 100 keys per level).
        """
        futures = [self.load(key) for key in keys]
        return [await future for future in futures]

    async def run(self, query: Callable[..., Awaitable[R]], **arguments: Any) -> R:
        """Run the `db.queries` function `query(reader, tenant=..., **arguments)`."""
        return await query(self.reader, tenant=self.tenant, **arguments)
