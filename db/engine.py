"""The database URL, and the writable SQLAlchemy engine of migrations, seeds and tests.

The gateway itself reads through `db.reader`, on read-only connections.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy.engine import make_url

from db.embedded import embedded_database_url
from db.settings import DatabaseSettings

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncEngine

__all__ = ["asyncpg_url", "create_admin_engine", "database_url", "plain_url"]


def database_url(settings: DatabaseSettings) -> str:
    """The configured URL, or the embedded server's when none is configured."""
    return settings.url or embedded_database_url()


def plain_url(url: str) -> str:
    """The URL in the `postgresql://` form asyncpg itself takes, whatever driver it names.

    >>> plain_url("postgresql+asyncpg://u@h/db")
    'postgresql://u@h/db'
    """
    return _with_driver(url, "postgresql")


def asyncpg_url(url: str) -> str:
    """Turn the URL a user would paste into SQLAlchemy's asyncpg form.

    >>> asyncpg_url("postgres://u@h/db")
    'postgresql+asyncpg://u@h/db'
    """
    return _with_driver(url, "postgresql+asyncpg")


def _with_driver(url: str, drivername: str) -> str:
    parsed = make_url(url)
    if parsed.get_backend_name() not in ("postgresql", "postgres"):
        raise ValueError("DATABASE_URL must be a postgresql:// URL.")
    return parsed.set(drivername=drivername).render_as_string(hide_password=False)


def create_admin_engine(settings: DatabaseSettings) -> AsyncEngine:
    """A writable engine for migrations and seeding, schema mapped.

    SQLAlchemy's asyncio extension (and the ORM it brings) is imported here, not
    at module level: the serving processes never need it.
    """
    from sqlalchemy.ext.asyncio import create_async_engine

    return create_async_engine(asyncpg_url(database_url(settings)), pool_size=2).execution_options(schema_translate_map={None: settings.schema_name})
