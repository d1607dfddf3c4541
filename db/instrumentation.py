"""Counting the SQL statements the gateway sends to PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from prometheus_client import Counter

if TYPE_CHECKING:
    from db.reader import Reader

__all__ = ["SQL_STATEMENTS", "StatementCount", "count_statements"]

SQL_STATEMENTS = Counter(
    "gateway_sql_statements", "SQL statements sent to the database by the gateway."
)


class StatementCount:
    """How many statements were sent while a `count_statements` block ran."""

    def __init__(self) -> None:
        self.value = 0

    def __call__(self) -> None:
        self.value += 1


@contextmanager
def count_statements(reader: Reader) -> Iterator[StatementCount]:
    """Count the statements `reader` sends inside the block (for tests and benchmarks)."""
    count = StatementCount()
    reader.observers.append(count)
    try:
        yield count
    finally:
        reader.observers.remove(count)
