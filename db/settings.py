"""Database settings, read from the environment once."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

__all__ = ["DATA_DIR", "DatabaseSettings", "at_least_one"]

DATA_DIR = Path(__file__).resolve().parent.parent / ".data"
_SCHEMA_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


def at_least_one(**settings: int) -> None:
    """Raise ValueError for the first of `settings` below 1, by its variable's name.

    >>> at_least_one(DB_POOL_SIZE=0)
    Traceback (most recent call last):
    ValueError: DB_POOL_SIZE must be at least 1.
    """
    for name, value in settings.items():
        if value < 1:
            raise ValueError(f"{name} must be at least 1.")


@dataclass(frozen=True)
class DatabaseSettings:
    """Where the platform's tables live and how Flowgate talks to them.

    `url` is None when `DATABASE_URL` is unset: the embedded server is used.
    A statement waits at most `pool_timeout_ms` for a pooled connection
    (opening one included), and opening one takes at most `connect_timeout_ms`.
    """

    url: str | None = None
    schema: str = "migration"
    pool_size: int = 10
    statement_timeout_ms: int = 5000
    pool_timeout_ms: int = 2000
    connect_timeout_ms: int = 2000

    def __post_init__(self) -> None:
        if not _SCHEMA_NAME.match(self.schema):
            raise ValueError(f"DB_SCHEMA must be a lower-case SQL identifier, not {self.schema!r}.")
        at_least_one(
            DB_POOL_SIZE=self.pool_size,
            DB_STATEMENT_TIMEOUT_MS=self.statement_timeout_ms,
            DB_POOL_TIMEOUT_MS=self.pool_timeout_ms,
            DB_CONNECT_TIMEOUT_MS=self.connect_timeout_ms,
        )

    @classmethod
    def from_env(cls) -> DatabaseSettings:
        env = os.environ
        return cls(
            url=env.get("DATABASE_URL") or None,
            schema=env.get("DB_SCHEMA", "migration"),
            pool_size=int(env.get("DB_POOL_SIZE", "10")),
            statement_timeout_ms=int(env.get("DB_STATEMENT_TIMEOUT_MS", "5000")),
            pool_timeout_ms=int(env.get("DB_POOL_TIMEOUT_MS", "2000")),
            connect_timeout_ms=int(env.get("DB_CONNECT_TIMEOUT_MS", "2000")),
        )
