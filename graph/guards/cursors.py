"""Opaque, signed pagination cursors.

A cursor is `base64url(payload) "." base64url(mac)`: the payload is a JSON
list `[kind, ordering, *position]` and the MAC (keyed BLAKE2b, 96 bits)
binds it to the tenant.  The position holds what orders the list (a
timestamp and the public flow ID, or a record's row number and ID).  An
internal ID in a position is sealed first (`seal`): AES on its one 16-byte
block under a key of the tenant's, so the cursor shows no internal ID, and
the same record always gets the same cursor.  A cursor that was tampered
with, belongs to another list, ordering or tenant, or is not a cursor at
all, is refused as BAD_USER_INPUT.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
from collections.abc import Iterable, Sequence
from functools import lru_cache
from typing import Any, NamedTuple
from uuid import UUID

import orjson
from cryptography.hazmat.primitives.ciphers import Cipher, CipherContext, algorithms, modes

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


class _TenantKeys(NamedTuple):
    mac: Any  # a keyed hashlib.blake2b state, copied per cursor
    seal: CipherContext
    unseal: CipherContext


@lru_cache(maxsize=1024)
def _tenant_keys(secret: bytes, tenant: Tenant) -> _TenantKeys:
    """One tenant's MAC and sealing keys, from the secret (once per tenant, not per request)."""
    tenant_key = hmac.digest(secret, f"{tenant.client_account_id}:{tenant.engagement_id}".encode(), "sha256")
    # ECB on exactly one block is the bare block cipher: a keyed permutation of 128-bit IDs.
    # The contexts keep no state between blocks, so one pair serves every cursor.
    cipher = Cipher(algorithms.AES(hmac.digest(tenant_key, b"seal", "sha256")[:16]), modes.ECB())  # noqa: S305
    return _TenantKeys(
        mac=hashlib.blake2b(key=hmac.digest(tenant_key, b"mac", "sha256"), digest_size=_MAC_BYTES),
        seal=cipher.encryptor(),
        unseal=cipher.decryptor(),
    )


class CursorCodec:
    """Encodes and checks the cursors of one tenant."""

    def __init__(self, secret: bytes, tenant: Tenant) -> None:
        self._keys = _tenant_keys(secret, tenant)

    def _mac(self, payload: bytes) -> bytes:
        # Keyed BLAKE2b is a MAC in one pass, a third of HMAC-SHA256's cost, and a copy of the
        # keyed state skips hashing the key again: this runs for every cursor of a page.
        mac = self._keys.mac.copy()
        mac.update(payload)
        digest: bytes = mac.digest()
        return digest

    def seal(self, internal_id: UUID) -> str:
        """`internal_id` as a position value that shows nothing of it, for this tenant only."""
        return self.seal_many([internal_id])[0]

    def seal_many(self, internal_ids: Sequence[UUID]) -> list[str]:
        """`seal` of each ID, in one call of the block cipher for them all (a page seals hundreds)."""
        sealed = self._keys.seal.update(b"".join([internal_id.bytes for internal_id in internal_ids]))
        return [_b64encode(sealed[start : start + 16]) for start in range(0, len(sealed), 16)]

    def unseal(self, sealed: Any) -> UUID:
        """The ID `seal` made `sealed` from; raises BadUserInput unless it is a sealed ID."""
        try:
            block = _b64decode(sealed) if isinstance(sealed, str) else b""
        except ValueError:
            block = b""
        if len(block) != 16:
            raise BadUserInput("The cursor is not valid for this list.")
        return UUID(bytes=self._keys.unseal.update(block))

    def encode(self, kind: str, ordering: str, *position: Any) -> str:
        return self.encode_many(kind, ordering, [position])[0]

    def encode_many(self, kind: str, ordering: str, positions: Iterable[Sequence[Any]]) -> list[str]:
        """The cursor of each position, of one list and ordering (`encode` of each, with less work per cursor)."""
        mac, dumps = self._mac, orjson.dumps
        cursors = []
        for position in positions:
            # Each payload is dropped before the next is made: orjson's buffers, kept alive by
            # the hundred, make every further `dumps` several times slower.
            payload = dumps([kind, ordering, *position])
            cursors.append(f"{_b64encode(payload)}.{_b64encode(mac(payload))}")
        return cursors

    def encode_sealing(self, kind: str, ordering: str, leads: Sequence[Any], internal_ids: Sequence[UUID]) -> list[str]:
        """The cursors of the positions `(leads[i], internal_ids[i] sealed)`, of one list and ordering."""
        return self.encode_many(kind, ordering, zip(leads, self.seal_many(internal_ids), strict=True))

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
