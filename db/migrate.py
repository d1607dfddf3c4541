"""Running Alembic migrations from code."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config

from db.settings import DatabaseSettings

__all__ = ["alembic_config", "migrate"]

_MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def alembic_config(settings: DatabaseSettings) -> Config:
    config = Config(str(_MIGRATIONS / "alembic.ini"))
    config.set_main_option("script_location", str(_MIGRATIONS))
    config.attributes["settings"] = settings
    return config


def migrate(settings: DatabaseSettings, revision: str = "head") -> None:
    """Bring `settings.schema_name` up to `revision` (idempotent). Call outside an event loop."""
    command.upgrade(alembic_config(settings), revision)
