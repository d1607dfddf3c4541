"""Persisted queries: a request names its document by SHA-256 hash instead of sending it.

The wire protocol is Apollo's: `extensions.persistedQuery = {"version": 1,
"sha256Hash": "<hex>"}`, with or without `query`, over GET or POST.  Two
stores answer it:

- `AutomaticPersistedQueries` (the default; Apollo's "APQ"): a hash alone
  is answered `PERSISTED_QUERY_NOT_FOUND` until a client has sent the hash
  with its query once; after that the hash alone runs the query.  Documents
  are kept in a bounded LRU per process.
- `TrustedDocuments` (`TRUSTED_DOCUMENTS=<manifest>`): only the documents
  of a manifest built at deploy time (`python -m graph manifest`) run,
  named by hash or sent in full; everything else is refused with
  `PERSISTED_QUERY_NOT_IN_LIST`, the code Apollo Router and GraphQL Hive's
  persisted-operations plugin use for an operation outside the list.

A hash sent with a query must be the SHA-256 of exactly that query text,
so no client can attach another document to a known hash.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import orjson

from graph.errors import BadUserInput, ClientError
from graph.lru import LRU
from graph.settings import Settings

__all__ = [
    "AutomaticPersistedQueries",
    "PersistedDocuments",
    "PersistedQuery",
    "PersistedQueryNotFound",
    "PersistedQueryNotInList",
    "TrustedDocuments",
    "persisted_documents",
    "sha256_hex",
]

_SHA256_HEX = re.compile(r"[0-9a-f]{64}")
_MALFORMED = 'extensions.persistedQuery must be {"version": 1, "sha256Hash": "<lower-case SHA-256 hex digest>"}.'


def sha256_hex(document: str) -> str:
    """The key of `document`: the lower-case hex SHA-256 of its UTF-8 text, as Apollo clients compute it."""
    return hashlib.sha256(document.encode()).hexdigest()


class PersistedQueryNotFound(ClientError):
    """No document is stored under the hash; an Apollo client then retries with the query."""

    code = "PERSISTED_QUERY_NOT_FOUND"

    def __init__(self) -> None:
        # The exact message Apollo clients (apollo-link-persisted-queries, Apollo iOS and Kotlin) look for.
        super().__init__("PersistedQueryNotFound")


class PersistedQueryNotInList(ClientError):
    """Trusted documents only, and the request's document is not one of them."""

    code = "PERSISTED_QUERY_NOT_IN_LIST"

    def __init__(self) -> None:
        super().__init__("Only trusted documents are served, and this document is not in their list.")


@dataclass(frozen=True)
class PersistedQuery:
    """The `persistedQuery` extension of a request: the hash naming its document."""

    sha256_hash: str

    @classmethod
    def from_extensions(cls, extensions: Mapping[str, Any] | None) -> PersistedQuery | None:
        """The request's persisted query, None without one; raises BadUserInput when it is malformed."""
        if extensions is not None and not isinstance(extensions, Mapping):
            raise BadUserInput("`extensions` must be a JSON object.")
        if not extensions or extensions.get("persistedQuery") is None:
            return None
        persisted = extensions["persistedQuery"]
        if not isinstance(persisted, Mapping):
            raise BadUserInput(_MALFORMED)
        if persisted.get("version") != 1:
            raise BadUserInput("Only version 1 of the persisted query protocol is supported.")
        sha256_hash = persisted.get("sha256Hash")
        if not isinstance(sha256_hash, str) or not _SHA256_HEX.fullmatch(sha256_hash):
            raise BadUserInput(_MALFORMED)
        return cls(sha256_hash)

    def check(self, query: str) -> None:
        """Raises BadUserInput unless the hash is that of `query` (Apollo's wording)."""
        if sha256_hex(query) != self.sha256_hash:
            raise BadUserInput("provided sha does not match query")


class PersistedDocuments(Protocol):
    """Where a request's document comes from, given its `query` and persisted query."""

    def resolve(self, query: str | None, persisted: PersistedQuery | None) -> str:
        """The document to run; raises a ClientError when there is none the request may run.

        At least one of `query` and `persisted` is given.
        """

    def remember(self, query: str, persisted: PersistedQuery | None) -> None:
        """Called once the resolved document has passed validation."""


class AutomaticPersistedQueries:
    """Apollo's automatic persisted queries: documents registered by clients, the `size` most recent kept."""

    def __init__(self, size: int) -> None:
        self._documents: LRU[str, str] = LRU(size)

    def resolve(self, query: str | None, persisted: PersistedQuery | None) -> str:
        if persisted is None:
            if query is None:
                raise BadUserInput("Send a query, or a persisted query's hash.")
            return query
        if query is not None:
            persisted.check(query)
            return query
        document = self._documents.get(persisted.sha256_hash)
        if document is None:
            raise PersistedQueryNotFound()
        return document

    def remember(self, query: str, persisted: PersistedQuery | None) -> None:
        # Registered only after validation (as Apollo Server does), so the store never holds a
        # document that cannot run.
        if persisted is not None:
            self._documents.put(persisted.sha256_hash, query)


class TrustedDocuments:
    """Only the documents of a manifest run: by hash alone, or sent in full (with or without the hash)."""

    def __init__(self, documents: Mapping[str, str]) -> None:
        self._documents = dict(documents)

    @classmethod
    def from_manifest(cls, path: Path) -> TrustedDocuments:
        """The documents of a manifest file, a JSON object `{sha256: document}`; ValueError when it is not one.

        That is the `persisted-documents.json` of GraphQL Code Generator's client preset and of
        `python -m graph manifest`.  Each key must be the SHA-256 of its document.
        """
        try:
            manifest = orjson.loads(path.read_bytes())
        except orjson.JSONDecodeError as error:
            raise ValueError(f"TRUSTED_DOCUMENTS: {path} is not JSON ({error}).") from None
        if not isinstance(manifest, dict) or not all(isinstance(d, str) for d in manifest.values()):
            raise ValueError(f"TRUSTED_DOCUMENTS: {path} must be a JSON object of SHA-256 hashes to documents.")
        for sha256_hash, document in manifest.items():
            if sha256_hex(document) != sha256_hash:
                raise ValueError(f"TRUSTED_DOCUMENTS: in {path}, {sha256_hash!r} is not the SHA-256 of its document.")
        return cls(manifest)

    def resolve(self, query: str | None, persisted: PersistedQuery | None) -> str:
        if persisted is None:
            if query is None:
                raise BadUserInput("Send a query, or a persisted query's hash.")
            sha256_hash = sha256_hex(query)
        else:
            if query is not None:
                persisted.check(query)
            sha256_hash = persisted.sha256_hash
        document = self._documents.get(sha256_hash)
        if document is None:
            raise PersistedQueryNotInList()
        return document

    def remember(self, query: str, persisted: PersistedQuery | None) -> None:
        """Trusted documents are fixed at start-up: nothing is registered."""


def persisted_documents(settings: Settings) -> PersistedDocuments:
    """The trusted documents of `TRUSTED_DOCUMENTS` when set, else an APQ store of `APQ_CACHE_SIZE` documents."""
    if settings.trusted_documents is not None:
        return TrustedDocuments.from_manifest(settings.trusted_documents)
    return AutomaticPersistedQueries(settings.apq_cache_size)
