"""The per-request context every resolver receives as `info.context`."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace

from db.notifications import FlowChanges
from db.reader import Reader
from db.tenancy import Tenant
from graph.guards.cursors import CursorCodec
from graph.loaders import Loaders

__all__ = ["Context"]


@dataclass
class Context:
    """One request's tenant, loaders, cursor codec and database reader.

    `changes` is the process's flow change listener; only subscriptions
    (served over WebSocket) use it, and it is None elsewhere.
    """

    tenant: Tenant
    reader: Reader
    loaders: Loaders
    cursors: CursorCodec
    request_id: str
    changes: FlowChanges | None = None

    @classmethod
    def create(cls, *, reader: Reader, tenant: Tenant, cursor_secret: bytes, request_id: str, changes: FlowChanges | None = None) -> Context:
        return cls(
            tenant=tenant,
            reader=reader,
            loaders=Loaders(reader, tenant),
            cursors=CursorCodec(cursor_secret, tenant),
            request_id=request_id,
            changes=changes,
        )

    def renewed(self) -> Context:
        """This context with empty loader caches and a new request id, for one more request of the same tenant.

        Each WebSocket operation, and each event a subscription pushes, runs
        with its own renewed context: no loader cache outlives the event
        that filled it.
        """
        return replace(self, loaders=Loaders(self.reader, self.tenant), request_id=uuid.uuid4().hex)
