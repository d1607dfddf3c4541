"""Cursor decoding as properties (graph/cursors.py): whatever a client sends as a cursor, the codec
either returns a position it signed itself or raises BadUserInput."""

from __future__ import annotations

import base64
import uuid

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from db.tenancy import Tenant
from graph.errors import BadUserInput
from graph.guards.cursors import CursorCodec

SECRET = b"cursor-test-secret-of-at-least-32-bytes"
CODEC = CursorCodec(SECRET, Tenant(uuid.UUID(int=1), uuid.UUID(int=2)))
PROPERTIES = settings(max_examples=300, deadline=None, database=None)

BASE64URL = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
# JSON values orjson writes and reads back unchanged (no lone surrogates; 64-bit integers).
POSITION_VALUES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**63), max_value=2**63 - 1),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(st.characters(exclude_categories=("Cs",))),
    st.uuids().map(str),
)
NAMES = st.text(st.characters(exclude_categories=("Cs",)), max_size=20)


def decode_or_refuse(cursor: str) -> list | None:
    """What `decode` returns for `cursor`, None when it refuses it; any other exception propagates."""
    try:
        return CODEC.decode(cursor, "flows", "created_at")
    except BadUserInput:
        return None


@PROPERTIES
@given(st.text())
def test_an_arbitrary_string_is_refused_as_bad_user_input(cursor):
    assert decode_or_refuse(cursor) is None


@PROPERTIES
@given(st.tuples(st.text(BASE64URL + "=."), st.text(BASE64URL + "=.")).map(".".join))
def test_an_arbitrary_string_shaped_like_a_cursor_is_refused_as_bad_user_input(cursor):
    assert decode_or_refuse(cursor) is None


@PROPERTIES
@given(kind=NAMES, ordering=NAMES, position=st.lists(POSITION_VALUES, max_size=4))
def test_decoding_an_encoded_cursor_gives_back_its_position(kind, ordering, position):
    codec = CursorCodec(SECRET, Tenant(uuid.uuid4(), uuid.uuid4()))

    assert codec.decode(codec.encode(kind, ordering, *position), kind, ordering) == position


@settings(max_examples=20, deadline=None, database=None)
@given(position=st.lists(POSITION_VALUES, max_size=3))
def test_a_cursor_with_any_one_character_changed_is_refused(position):
    # Every position, every character of the cursor alphabet and a few outside it: the last
    # character of a base64 segment also carries unused bits, which a lenient decoder ignores.
    cursor = CODEC.encode("flows", "created_at", *position)
    changed = [
        cursor[:index] + replacement + cursor[index + 1 :]
        for index in range(len(cursor))
        for replacement in BASE64URL + "=. !é"
        if replacement != cursor[index]
    ]

    assert [c for c in changed if decode_or_refuse(c) is not None] == []


@pytest.mark.parametrize("stray", ["=", "==", " ", "\n", "!"])
def test_a_cursor_with_a_stray_character_added_is_refused(stray):
    # Python's base64 decoder skips padding and characters outside the alphabet; a cursor
    # must have exactly one spelling.
    cursor = CODEC.encode("flows", "created_at", "2026-01-01T00:00:00+00:00", str(uuid.UUID(int=3)))
    payload, mac = cursor.split(".")

    assert decode_or_refuse(f"{payload}{stray}.{mac}") is None
    assert decode_or_refuse(f"{payload}.{mac}{stray}") is None


@PROPERTIES
@given(st.uuids())
def test_unsealing_a_sealed_id_gives_back_the_id(internal_id):
    assert CODEC.unseal(CODEC.seal(internal_id)) == internal_id


@PROPERTIES
@given(st.uuids())
def test_a_sealed_id_shows_nothing_of_the_id(internal_id):
    sealed = CODEC.seal(internal_id)

    assert internal_id.hex not in sealed and _b64(internal_id.bytes) != sealed


def test_another_tenant_seals_the_same_id_differently():
    internal_id = uuid.uuid4()
    theirs = CursorCodec(SECRET, Tenant(uuid.UUID(int=3), uuid.UUID(int=2)))

    assert theirs.seal(internal_id) != CODEC.seal(internal_id)


@PROPERTIES
@given(st.lists(st.uuids(), max_size=5))
def test_sealing_many_ids_at_once_seals_each_as_alone(internal_ids):
    assert CODEC.seal_many(internal_ids) == [CODEC.seal(internal_id) for internal_id in internal_ids]


@PROPERTIES
@given(positions=st.lists(st.lists(POSITION_VALUES, max_size=3), max_size=5))
def test_encoding_many_positions_at_once_encodes_each_as_alone(positions):
    assert CODEC.encode_many("flows", "created_at", positions) == [CODEC.encode("flows", "created_at", *position) for position in positions]


def test_encoding_while_sealing_seals_the_last_value_of_each_position():
    ids = [uuid.UUID(int=5), uuid.UUID(int=6)]

    cursors = CODEC.encode_sealing("records", "row_number", [3, 3], ids)

    assert [CODEC.decode(cursor, "records", "row_number") for cursor in cursors] == [[3, CODEC.seal(ids[0])], [3, CODEC.seal(ids[1])]]


@pytest.mark.parametrize("sealed", ["", "AAAA", "A" * 23, "A" * 21 + "=", 7, None, ["x"]])
def test_what_is_not_a_sealed_id_is_refused(sealed):
    with pytest.raises(BadUserInput):
        CODEC.unseal(sealed)


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()
