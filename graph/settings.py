"""All of the gateway's settings, read from the environment and validated at start-up."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Literal

from db.settings import DatabaseSettings

__all__ = ["DEVELOPMENT_JWT_SECRET", "Settings"]

DEVELOPMENT_JWT_SECRET = "flowgate-development-secret-not-for-production"


def _flag(value: str) -> bool:
    if value.lower() in ("1", "true", "yes", "on"):
        return True
    if value.lower() in ("0", "false", "no", "off", ""):
        return False
    raise ValueError(f"Expected a boolean (true/false), got {value!r}.")


@dataclass(frozen=True)
class Settings:
    """The gateway's configuration; `from_env` documents each variable."""

    database: DatabaseSettings = field(default_factory=DatabaseSettings)
    environment: Literal["development", "production"] = "development"
    host: str = "127.0.0.1"
    port: int = 8000
    jwt_secret: str = DEVELOPMENT_JWT_SECRET
    jwt_client_account_claim: str = "client_account_id"
    jwt_engagement_claim: str = "engagement_id"
    trusted_tenant_headers: bool = False
    max_query_depth: int = 12
    max_aliases: int = 30
    max_tokens: int = 2000
    max_nodes: int = 100_000
    max_body_bytes: int = 100_000
    max_batch_size: int = 10

    def __post_init__(self) -> None:
        if self.environment not in ("development", "production"):
            raise ValueError("FLOWGATE_ENV must be 'development' or 'production'.")
        if self.environment == "production" and self.jwt_secret == DEVELOPMENT_JWT_SECRET:
            raise ValueError("JWT_SECRET must be set in production.")
        if len(self.jwt_secret.encode()) < 32:
            raise ValueError("JWT_SECRET must be at least 32 bytes long (HS256).")

    @classmethod
    def from_env(cls) -> Settings:
        env = os.environ
        return cls(
            database=DatabaseSettings.from_env(),
            environment=env.get("FLOWGATE_ENV", "development"),  # type: ignore[arg-type]
            host=env.get("HOST", "127.0.0.1"),
            port=int(env.get("PORT", "8000")),
            jwt_secret=env.get("JWT_SECRET") or DEVELOPMENT_JWT_SECRET,
            jwt_client_account_claim=env.get("JWT_CLIENT_ACCOUNT_CLAIM", "client_account_id"),
            jwt_engagement_claim=env.get("JWT_ENGAGEMENT_CLAIM", "engagement_id"),
            trusted_tenant_headers=_flag(env.get("TRUSTED_TENANT_HEADERS", "false")),
            max_query_depth=int(env.get("MAX_QUERY_DEPTH", "12")),
            max_aliases=int(env.get("MAX_ALIASES", "30")),
            max_tokens=int(env.get("MAX_TOKENS", "2000")),
            max_nodes=int(env.get("MAX_NODES", "100000")),
            max_body_bytes=int(env.get("MAX_BODY_BYTES", "100000")),
            max_batch_size=int(env.get("MAX_BATCH_SIZE", "10")),
        )

    @property
    def introspection(self) -> bool:
        return self.environment == "development"
