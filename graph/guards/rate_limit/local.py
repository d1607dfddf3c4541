"""Rate-limit windows kept in this process: each process (and replica) counts on its own."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from graph.guards.rate_limit.window import Window

__all__ = ["LocalWindows"]

_FIRST_SWEEP = 1024


@dataclass
class _Open:
    used: int
    resets_at: float


class LocalWindows:
    """`points` per key per `seconds`, in a dict; windows that have ended are swept out as the dict grows.

    A sweep runs when the dict reaches twice its size after the last one, so
    memory stays within twice the keys active in one window, at a constant
    cost per charge on average.
    """

    def __init__(self, *, points: int, seconds: float, clock: Callable[[], float] = time.time) -> None:
        self.points = points
        self.seconds = seconds
        self._clock = clock
        self._open: dict[str, _Open] = {}
        self._sweep_at = _FIRST_SWEEP

    async def charge(self, key: str, cost: int) -> Window:
        now = self._clock()
        window = self._open.get(key)
        if window is None or window.resets_at <= now:
            window = _Open(0, now + self.seconds)
        if window.used + cost > self.points:
            return Window(False, self.points - window.used, window.resets_at)
        window.used += cost
        self._open[key] = window
        if len(self._open) >= self._sweep_at:
            self._sweep(now)
        return Window(True, self.points - window.used, window.resets_at)

    def _sweep(self, now: float) -> None:
        self._open = {key: window for key, window in self._open.items() if window.resets_at > now}
        self._sweep_at = max(_FIRST_SWEEP, 2 * len(self._open))

    async def close(self) -> None:
        """Nothing to release."""
