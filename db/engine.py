"""Async SQLAlchemy engines on asyncpg.

The gateway's engine is read-only at the session level: every statement runs
in its own implicit read-only transaction with a statement timeout, so a
request costs one round trip per statement and can never write.
"""

from __future__ import annotations

from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from db.embedded import embedded_database_url
from db.instrumentation import instrument
from db.settings import DatabaseSettings

__all__ = ["asyncpg_url", "create_admin_engine", "create_read_only_engine", "database_url"]


def database_url(settings: DatabaseSettings) -> str:
    """The configured URL, or the embedded server's when none is configured."""
    return settings.url or embedded_database_url()


def asyncpg_url(url: str) -> str:
    """Turn the URL a user would paste into SQLAlchemy's asyncpg form.

    >>> asyncpg_url("postgres://u@h/db")
    'postgresql+asyncpg://u@h/db'
    """
    parsed = make_url(url)
    if parsed.get_backend_name() not in ("postgresql", "postgres"):
        raise ValueError("DATABASE_URL must be a postgresql:// URL.")
    return parsed.set(drivername="postgresql+asyncpg").render_as_string(hide_password=False)


def create_read_only_engine(settings: DatabaseSettings) -> AsyncEngine:
    """The gateway's engine: autocommit, read-only, statement timeout, schema mapped."""
    engine = create_async_engine(
        asyncpg_url(database_url(settings)),
        isolation_level="AUTOCOMMIT",
        pool_size=settings.pool_size,
        max_overflow=0,
        pool_recycle=1800,
        connect_args={
            "server_settings": {
                "default_transaction_read_only": "on",
                "statement_timeout": str(settings.statement_timeout_ms),
                "application_name": "flowgate",
            }
        },
    ).execution_options(schema_translate_map={None: settings.schema})
    instrument(engine)
    return engine


def create_admin_engine(settings: DatabaseSettings) -> AsyncEngine:
    """A writable engine for migrations and seeding, schema mapped."""
    return create_async_engine(
        asyncpg_url(database_url(settings)), pool_size=2
    ).execution_options(schema_translate_map={None: settings.schema})
