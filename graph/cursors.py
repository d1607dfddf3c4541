"""Opaque, signed pagination cursors.

A cursor is `base64url(payload) "." base64url(mac)`: the payload is a JSON
list `[kind, ordering, *position]` and the MAC (keyed BLAKE2b, 96 bits)
binds it to the tenant.  The position holds only what orders the list (a
timestamp and the public flow ID, or a record's row number), never an
internal ID.  A cursor that was tampered with, belongs to another list,
ordering or tenant, or is not a cursor at all, is refused as BAD_USER_INPUT.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
from functools import lru_cache
from typing import Any

import orjson

from db.tenancy import Tenant
from graph.errors import BadUserInput

__all__ = ["CursorCodec"]

_MAC_BYTES = 12


_URLSAFE = bytes.maketrans(b"+/", b"-_")


def _b64encode(data: bytes) -> str:
    """Unpadded base64url (binascii directly: the base64 module's wrappers cost as much again)."""
    return binascii.b2a_base64(data, newline=False).translate(_URLSAFE).rstrip(b"=").decode()


def _b64decode(text: str) -> bytes:
    """The bytes `text` encodes; ValueError unless it is exactly what `_b64encode` makes of them.

    The base64 module alone skips stray characters, padding and unused low bits, so
    one cursor would have many spellings.
    """
    data = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    if _b64encode(data) != text:
        raise ValueError("Not canonical unpadded base64url.")
    return data


@lru_cache(maxsize=1024)
def _tenant_mac(secret: bytes, tenant: Tenant) -> Any:
    """A BLAKE2b state keyed for one tenant's cursors, from the secret (once per tenant, not per request)."""
    key = hmac.digest(secret, f"{tenant.client_account_id}:{tenant.engagement_id}".encode(), "sha256")
    return hashlib.blake2b(key=key, digest_size=_MAC_BYTES)


class CursorCodec:
    """Encodes and checks the cursors of one tenant."""

    def __init__(self, secret: bytes, tenant: Tenant) -> None:
        self._keyed = _tenant_mac(secret, tenant)

    def _mac(self, payload: bytes) -> bytes:
        # Keyed BLAKE2b is a MAC in one pass, a third of HMAC-SHA256's cost, and a copy of the
        # keyed state skips hashing the key again: this runs for every cursor of a page.
        mac = self._keyed.copy()
        mac.update(payload)
        return mac.digest()

    def encode(self, kind: str, ordering: str, *position: Any) -> str:
        payload = orjson.dumps([kind, ordering, *position])
        return f"{_b64encode(payload)}.{_b64encode(self._mac(payload))}"

    def decode(self, cursor: str, kind: str, ordering: str) -> list[Any]:
        """The position `cursor` holds; raises BadUserInput unless it is one of ours for this list."""
        try:
            encoded_payload, encoded_mac = cursor.split(".")
            payload = _b64decode(encoded_payload)
            valid = hmac.compare_digest(_b64decode(encoded_mac), self._mac(payload))
            decoded = orjson.loads(payload) if valid else None
        except (ValueError, orjson.JSONDecodeError):
            decoded = None
        if not isinstance(decoded, list) or len(decoded) < 2 or decoded[0] != kind:
            raise BadUserInput("The cursor is not valid for this list.")
        if decoded[1] != ordering:
            raise BadUserInput("The cursor was made for another ordering of this list.")
        return decoded[2:]
