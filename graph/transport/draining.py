"""Leaving a load balancer's rotation before shutting down: SIGTERM drains first.

A balancer (HAProxy, a Kubernetes Service) stops sending new requests to a
process only once its health check fails.  If the process stopped accepting
connections at SIGTERM, the requests the balancer sends until then would be
refused.  So on SIGTERM `/readyz` answers 503 at once, the process goes on
serving for `SHUTDOWN_DRAIN_SECONDS`, and only then does uvicorn's own
graceful shutdown begin (no new connections; in-flight requests finish).
A second SIGTERM, or SIGINT, shuts down at once.

`Drain.install` replaces the SIGTERM handler that uvicorn installed, from
the app's lifespan in the serving process's main thread; only the ASGI entry
point (`graph.asgi`) asks for it, never an app built in a test.
"""

from __future__ import annotations

import asyncio
import contextvars
import logging
import signal
from types import FrameType

__all__ = ["Drain"]

log = logging.getLogger("flowgate.draining")


class Drain:
    """Whether this process is draining, and the SIGTERM handler that starts it (`seconds` before uvicorn's shutdown)."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.draining = False

    def install(self) -> None:
        """Drain on SIGTERM, then hand the signal to the handler it replaces (uvicorn's)."""
        loop = asyncio.get_running_loop()
        previous = signal.getsignal(signal.SIGTERM)
        if not callable(previous):
            return  # no handler to hand over to: the process is not served by uvicorn

        def begin(signum: int) -> None:
            log.info("SIGTERM: not ready from now on; shutting down in %.1f s.", self.seconds)
            loop.call_later(self.seconds, previous, signum, None)

        def on_sigterm(signum: int, frame: FrameType | None) -> None:
            if self.draining:
                previous(signum, frame)
                return
            self.draining = True
            # In a context of its own: the signal interrupts whichever request runs, and its log fields are not the drain's.
            loop.call_soon_threadsafe(begin, signum, context=contextvars.Context())

        signal.signal(signal.SIGTERM, on_sigterm)
