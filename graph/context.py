"""The per-request context every resolver receives as `info.context`."""

from __future__ import annotations

from dataclasses import dataclass

from db.reader import Reader
from db.tenancy import Tenant
from graph.cursors import CursorCodec
from graph.loaders import Loaders

__all__ = ["Context"]


@dataclass
class Context:
    """One request's tenant, loaders, cursor codec and database reader."""

    tenant: Tenant
    reader: Reader
    loaders: Loaders
    cursors: CursorCodec
    request_id: str

    @classmethod
    def create(cls, *, reader: Reader, tenant: Tenant, cursor_secret: bytes, request_id: str) -> Context:
        return cls(
            tenant=tenant,
            reader=reader,
            loaders=Loaders(reader, tenant),
            cursors=CursorCodec(cursor_secret, tenant),
            request_id=request_id,
        )
