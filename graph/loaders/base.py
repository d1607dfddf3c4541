"""What every loader shares: one reader, one tenant, one statement per batch, keys a level at a time."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, Sequence
from typing import Any, Generic, TypeVar

from aiodataloader import DataLoader

from db.reader import Reader
from db.tenancy import Tenant

__all__ = ["TenantLoader"]

K = TypeVar("K")
V = TypeVar("V")
R = TypeVar("R")


class TenantLoader(DataLoader, Generic[K, V]):
    """A DataLoader scoped to one request's tenant, whose DataLoader keys are whole tuples of keys.

    The executor asks for a level's keys at once (`graph.schema.batching`):
    `load_many(keys)` is one DataLoader key, the tuple of `keys`, with one
    future and one cache entry, not one per key (a page of 100 flows loads
    100 keys per level).  Tuples loaded in the same tick still share one
    batch, so one statement; the same tuple again comes from the cache.

    Subclasses implement `load_batch(keys)` with one `db.queries` call
    through `run`, and return one value per key, in key order; the keys are
    distinct.
    """

    def __init__(self, reader: Reader, tenant: Tenant) -> None:
        super().__init__()
        self.reader = reader
        self.tenant = tenant

    async def load_batch(self, keys: Sequence[K]) -> Sequence[V]:
        raise NotImplementedError

    async def batch_load_fn(self, tuples: Sequence[tuple[K, ...]]) -> list[list[V]]:
        """DataLoader's batch: the tuples' distinct keys loaded in one `load_batch`, split back by tuple."""
        distinct = list(dict.fromkeys(key for keys in tuples for key in keys))
        value_of = dict(zip(distinct, await self.load_batch(distinct), strict=True))
        return [[value_of[key] for key in keys] for keys in tuples]

    async def load_many(self, keys: Iterable[K]) -> list[V]:  # type: ignore[override]
        """The values of `keys`, in order, from this loader's next batch (nothing is loaded for no keys)."""
        batch = tuple(keys)
        if not batch:
            return []
        values: list[V] = await DataLoader.load(self, batch)
        return values

    async def load(self, key: K) -> V:  # type: ignore[override]
        """The value of one key, as `load_many([key])`."""
        return (await self.load_many((key,)))[0]

    async def run(self, query: Callable[..., Awaitable[R]], **arguments: Any) -> R:
        """Run the `db.queries` function `query(reader, tenant=..., **arguments)`."""
        return await query(self.reader, tenant=self.tenant, **arguments)
