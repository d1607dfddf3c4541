"""Database settings: one declaration per environment variable, validated at start-up (pydantic-settings).

Each field names its variable (`validation_alias`); constructing the class
reads the environment, and keyword arguments win over it.  Values that cannot
work are refused with the variable's name (`SettingsError`).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Literal, Self, TypeVar

from pydantic import BaseModel, Field, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

__all__ = ["DATA_DIR", "ENVIRONMENT", "DatabaseSettings", "SettingsError", "changed", "variables_of"]

DATA_DIR = Path(__file__).resolve().parent.parent / ".data"
_SCHEMA_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")

ENVIRONMENT = SettingsConfigDict(frozen=True, populate_by_name=True, extra="ignore", env_ignore_empty=True, validate_default=True)
"""How every settings class reads the environment: variables by exact alias, an empty one as unset."""

Model = TypeVar("Model", bound=BaseModel)


class SettingsError(ValueError):
    """A setting that cannot work; the message names its variable."""


def _refusal(error: ValidationError) -> SettingsError:
    """The first problem of `error`, as one sentence naming the variable (validators already name theirs)."""
    first = error.errors()[0]
    variable = ".".join(str(part) for part in first["loc"])
    if first["type"] == "value_error":
        return SettingsError(str(first["ctx"]["error"]))
    return SettingsError(f"{variable}: {first['msg']}.")


def build(cls: type[Model], **values: Any) -> Model:
    """`cls(**values)`, with a validation error turned into one `SettingsError` naming the variable."""
    try:
        return cls(**values)
    except ValidationError as error:
        raise _refusal(error) from None


def changed(settings: Model, **changes: Any) -> Model:
    """A copy of `settings` with `changes`, validated again (the environment is not read again)."""
    try:
        return type(settings).model_validate({**dict(settings), **changes})
    except ValidationError as error:
        raise _refusal(error) from None


def variables_of(cls: type[BaseModel]) -> set[str]:
    """The environment variables `cls` (and the settings classes it holds) reads."""
    names: set[str] = set()
    for field in cls.model_fields.values():
        if isinstance(field.validation_alias, str):
            names.add(field.validation_alias)
        annotation = field.annotation
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            names |= variables_of(annotation)
    return names


def at_least_one(variable: str) -> Any:
    """A validator refusing values below 1, by `variable`'s name."""

    def check(value: int) -> int:
        if value < 1:
            raise ValueError(f"{variable} must be at least 1.")
        return value

    return check


class DatabaseSettings(BaseSettings):
    """Where the platform's tables live and how Flowgate talks to them.

    `url` is None when `DATABASE_URL` is unset: the embedded server is used.
    `listen_url` is where subscriptions LISTEN (the primary, when `url` is a
    replica or a pooler); None means `url`.  `pooler` says what sits between
    the gateway and PostgreSQL: `none`, or `pgbouncer` (any pooler that
    refuses startup parameters and prepared statements across transactions).
    A statement waits at most `pool_timeout_ms` for a pooled connection
    (opening one included), and opening one takes at most `connect_timeout_ms`.
    """

    model_config = ENVIRONMENT

    url: str | None = Field(None, validation_alias="DATABASE_URL")
    listen_url: str | None = Field(None, validation_alias="LISTEN_DATABASE_URL")
    pooler: Literal["none", "pgbouncer"] = Field("none", validation_alias="DB_POOLER")
    schema_name: str = Field("migration", validation_alias="DB_SCHEMA")
    pool_size: int = Field(10, validation_alias="DB_POOL_SIZE")
    statement_timeout_ms: int = Field(5000, validation_alias="DB_STATEMENT_TIMEOUT_MS")
    pool_timeout_ms: int = Field(2000, validation_alias="DB_POOL_TIMEOUT_MS")
    connect_timeout_ms: int = Field(2000, validation_alias="DB_CONNECT_TIMEOUT_MS")

    _pool_size = field_validator("pool_size")(at_least_one("DB_POOL_SIZE"))
    _statement_timeout = field_validator("statement_timeout_ms")(at_least_one("DB_STATEMENT_TIMEOUT_MS"))
    _pool_timeout = field_validator("pool_timeout_ms")(at_least_one("DB_POOL_TIMEOUT_MS"))
    _connect_timeout = field_validator("connect_timeout_ms")(at_least_one("DB_CONNECT_TIMEOUT_MS"))

    @field_validator("schema_name")
    @classmethod
    def _identifier(cls, value: str) -> str:
        if not _SCHEMA_NAME.match(value):
            raise ValueError(f"DB_SCHEMA must be a lower-case SQL identifier, not {value!r}.")
        return value

    @classmethod
    def from_env(cls) -> Self:
        """The settings the environment gives; `SettingsError` names a variable that cannot work."""
        return build(cls)
