"""Counting the SQL statements the gateway sends to PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from prometheus_client import Counter
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine

__all__ = ["SQL_STATEMENTS", "StatementCount", "count_statements", "instrument"]

SQL_STATEMENTS = Counter(
    "gateway_sql_statements", "SQL statements sent to the database by the gateway."
)


def _on_execute(*_: Any) -> None:
    SQL_STATEMENTS.inc()


def instrument(engine: AsyncEngine) -> None:
    """Count every statement `engine` sends in `SQL_STATEMENTS`."""
    event.listen(engine.sync_engine, "before_cursor_execute", _on_execute)


class StatementCount:
    """How many statements were sent while a `count_statements` block ran."""

    def __init__(self) -> None:
        self.value = 0

    def __call__(self, *_: Any) -> None:
        self.value += 1


@contextmanager
def count_statements(engine: AsyncEngine) -> Iterator[StatementCount]:
    """Count the statements `engine` sends inside the block (for tests and benchmarks)."""
    count = StatementCount()
    event.listen(engine.sync_engine, "before_cursor_execute", count)
    try:
        yield count
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", count)
