"""Counting the SQL statements a reader sends, for the statement-count specifications."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from db.reader import Reader

__all__ = ["StatementCount", "count_statements"]


class StatementCount:
    """How many statements were sent while a `count_statements` block ran."""

    def __init__(self) -> None:
        self.value = 0

    def __call__(self) -> None:
        self.value += 1


@contextmanager
def count_statements(reader: Reader) -> Iterator[StatementCount]:
    """Count the statements `reader` sends inside the block."""
    count = StatementCount()
    reader.observers.append(count)
    try:
        yield count
    finally:
        reader.observers.remove(count)
