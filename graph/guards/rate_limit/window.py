"""What a store of rate-limit windows answers, and the interface every store has."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

__all__ = ["Window", "Windows"]


@dataclass(frozen=True)
class Window:
    """A key's window after a charge was asked of it.

    `charged` is False when the cost did not fit in what remained: then
    nothing was taken.  `remaining` is the points left after the charge (or
    before a refused one); `resets_at` is when the window ends (epoch seconds).
    """

    charged: bool
    remaining: int
    resets_at: float


class Windows(Protocol):
    """Fixed windows of `points` per key, each opened by its key's first charge and lasting a set time."""

    async def charge(self, key: str, cost: int) -> Window | None:
        """Take `cost` points from `key`'s window if they fit, atomically; None when the store cannot tell (it fails open)."""

    async def close(self) -> None:
        """Release what the store holds open (connections)."""
