"""The platform's JSON columns without the internal IDs they can hold.

The platform writes IDs into its JSON state: `data_import_id` in a flow's
configuration, asset IDs in conflict snapshots, record and flow IDs in
phase state.  Before such a column becomes a field, every value that names
an ID goes, at any depth:

- an object's member whose key names an ID: `id`, or a key ending in `_id`,
  `_ids`, `Id` or `Ids` (`data_import_id`, `assetIds`, …);
- any string that is a UUID, under whatever key or in whatever list.

What remains keeps its shape: objects stay objects, lists stay lists (less
the UUIDs they held).
"""

from __future__ import annotations

import re
from typing import Any

import orjson

__all__ = ["is_uuid", "names_an_id", "without_ids"]

_SNAKE_ID = re.compile(r"(?:^|_)ids?$", re.IGNORECASE)
_CAMEL_ID = re.compile(r"[a-z0-9](?:Id|ID)s?$")
_UUID = re.compile(r"^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$", re.IGNORECASE)


def names_an_id(key: str) -> bool:
    """Whether an object key names an ID.

    >>> [names_an_id(key) for key in ("id", "data_import_id", "assetIds", "flowID", "valid", "grid", "identity")]
    [True, True, True, True, False, False, False]
    """
    return bool(_SNAKE_ID.search(key) or _CAMEL_ID.search(key))


def is_uuid(value: Any) -> bool:
    """Whether `value` is a string spelling a UUID (with or without hyphens)."""
    return isinstance(value, str) and len(value) in (32, 36) and bool(_UUID.match(value))


def _redacted(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _redacted(item) for key, item in value.items() if not names_an_id(key) and not is_uuid(item)}
    if isinstance(value, list):
        return [_redacted(item) for item in value if not is_uuid(item)]
    return value


def without_ids(text: str | None) -> str | None:
    """JSON text (as PostgreSQL returns it) with every ID removed (see the module docstring); None stays None."""
    if text is None:
        return None
    return orjson.dumps(_redacted(orjson.loads(text))).decode()
