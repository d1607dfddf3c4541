"""Scalar definitions and values: the UUID scalar, and JSON passed through as text."""

from __future__ import annotations

import uuid

import orjson
import strawberry
from strawberry.scalars import JSON
from strawberry.types.scalar import ScalarDefinition

__all__ = ["JSON_TEXT_SCALAR", "SCALAR_MAP", "json_fragment"]


def _parse_uuid(value: object) -> uuid.UUID:
    if not isinstance(value, str):
        raise ValueError("A UUID must be given as a string.")
    return uuid.UUID(value)


UUID_SCALAR = strawberry.scalar(
    name="UUID",
    description="A UUID in its canonical text form, e.g. `3f2b8c1e-6d7a-4b52-9c0e-1a2b3c4d5e6f`.",
    serialize=str,
    parse_value=_parse_uuid,
)


def json_fragment(text: str | None) -> orjson.Fragment | None:
    """A JSON value read as text from PostgreSQL, embedded as is when the response is encoded.

    The gateway never parses stored JSON: the text goes from the database
    into the response bytes (orjson inlines fragments).
    """
    return None if text is None else orjson.Fragment(text)


_ECMA_404 = "https://ecma-international.org/wp-content/uploads/ECMA-404_2nd_edition_december_2017.pdf"

JSON_TEXT_SCALAR = strawberry.scalar(
    name="JSON",
    description=f"The `JSON` scalar type represents JSON values as specified by [ECMA-404]({_ECMA_404}).",
    specified_by_url=_ECMA_404,
    serialize=json_fragment,
    parse_value=lambda value: value,
)
"""Strawberry's `JSON` scalar, for values held as the JSON text PostgreSQL returns: serialized as `json_fragment`."""

SCALAR_MAP: dict[object, ScalarDefinition] = {uuid.UUID: UUID_SCALAR, JSON: JSON_TEXT_SCALAR}
