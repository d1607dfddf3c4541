"""All of the gateway's settings, read from the environment and validated at start-up."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from db.settings import DatabaseSettings, at_least_one

__all__ = ["DEVELOPMENT_JWT_SECRET", "Settings"]

DEVELOPMENT_JWT_SECRET = "flowgate-development-secret-not-for-production"  # noqa: S105 - refused in production


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
    auth_mode: Literal["jwt", "platform"] = "jwt"
    trusted_tenant_headers: bool = False
    tenant_access_cache_seconds: float = 60.0
    tenant_access_cache_size: int = 10_000
    max_query_depth: int = 12
    max_aliases: int = 30
    max_tokens: int = 2000
    max_nodes: int = 100_000
    max_body_bytes: int = 100_000
    max_batch_size: int = 10
    request_timeout_ms: int = 10_000
    heavy_query_nodes: int = 5_000
    heavy_query_concurrency: int = 2
    workers: int = 1
    csrf_prevention: bool = True
    apq_cache_size: int = 1024
    fast_executor: bool = True
    trusted_documents: Path | None = None
    max_websocket_connections: int = 1000
    max_subscriptions_per_connection: int = 50
    websocket_keepalive_seconds: float = 15.0
    subscription_coalesce_ms: int = 250
    log_level: str = "INFO"
    log_format: Literal["json", "text"] | None = None  # None: JSON in production, text in development
    otel_enabled: bool = False
    demo_token: str | None = None

    def __post_init__(self) -> None:
        if self.environment not in ("development", "production"):
            raise ValueError("FLOWGATE_ENV must be 'development' or 'production'.")
        if self.environment == "production" and self.jwt_secret == DEVELOPMENT_JWT_SECRET:
            raise ValueError("JWT_SECRET must be set in production.")
        if self.environment == "production" and self.demo_token:
            raise ValueError("DEMO_TOKEN must not be set in production.")
        if self.auth_mode not in ("jwt", "platform"):
            raise ValueError("AUTH_MODE must be 'jwt' or 'platform'.")
        if self.auth_mode == "platform" and self.trusted_tenant_headers:
            raise ValueError("TRUSTED_TENANT_HEADERS does not apply to AUTH_MODE=platform, which checks the tenant headers itself.")
        if self.tenant_access_cache_seconds < 0:
            raise ValueError("TENANT_ACCESS_CACHE_SECONDS must be 0 or more.")
        if self.tenant_access_cache_size < 1:
            raise ValueError("TENANT_ACCESS_CACHE_SIZE must be at least 1.")
        if len(self.jwt_secret.encode()) < 32:
            raise ValueError("JWT_SECRET must be at least 32 bytes long (HS256).")
        at_least_one(
            REQUEST_TIMEOUT_MS=self.request_timeout_ms,
            HEAVY_QUERY_NODES=self.heavy_query_nodes,
            HEAVY_QUERY_CONCURRENCY=self.heavy_query_concurrency,
            WEB_CONCURRENCY=self.workers,
        )
        if self.apq_cache_size < 1:
            raise ValueError("APQ_CACHE_SIZE must be at least 1.")
        if self.trusted_documents is not None and not self.trusted_documents.is_file():
            raise ValueError(f"TRUSTED_DOCUMENTS must name a manifest file; {self.trusted_documents} is not one.")
        if self.max_websocket_connections < 1:
            raise ValueError("MAX_WEBSOCKET_CONNECTIONS must be at least 1.")
        if self.max_subscriptions_per_connection < 1:
            raise ValueError("MAX_SUBSCRIPTIONS_PER_CONNECTION must be at least 1.")
        if self.websocket_keepalive_seconds <= 0:
            raise ValueError("WEBSOCKET_KEEPALIVE_SECONDS must be more than 0.")
        if not 0 <= self.subscription_coalesce_ms <= 10_000:
            raise ValueError("SUBSCRIPTION_COALESCE_MS must be between 0 and 10000.")
        if self.log_level not in ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"):
            raise ValueError("LOG_LEVEL must be DEBUG, INFO, WARNING, ERROR or CRITICAL.")
        if self.log_format not in (None, "json", "text"):
            raise ValueError("LOG_FORMAT must be 'json' or 'text'.")

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
            auth_mode=env.get("AUTH_MODE", "jwt"),  # type: ignore[arg-type]
            trusted_tenant_headers=_flag(env.get("TRUSTED_TENANT_HEADERS", "false")),
            tenant_access_cache_seconds=float(env.get("TENANT_ACCESS_CACHE_SECONDS", "60")),
            tenant_access_cache_size=int(env.get("TENANT_ACCESS_CACHE_SIZE", "10000")),
            max_query_depth=int(env.get("MAX_QUERY_DEPTH", "12")),
            max_aliases=int(env.get("MAX_ALIASES", "30")),
            max_tokens=int(env.get("MAX_TOKENS", "2000")),
            max_nodes=int(env.get("MAX_NODES", "100000")),
            max_body_bytes=int(env.get("MAX_BODY_BYTES", "100000")),
            max_batch_size=int(env.get("MAX_BATCH_SIZE", "10")),
            request_timeout_ms=int(env.get("REQUEST_TIMEOUT_MS", "10000")),
            heavy_query_nodes=int(env.get("HEAVY_QUERY_NODES", "5000")),
            heavy_query_concurrency=int(env.get("HEAVY_QUERY_CONCURRENCY", "2")),
            workers=int(env.get("WEB_CONCURRENCY", "1")),
            csrf_prevention=_flag(env.get("CSRF_PREVENTION", "true")),
            apq_cache_size=int(env.get("APQ_CACHE_SIZE", "1024")),
            fast_executor=_flag(env.get("FAST_EXECUTOR", "on")),
            trusted_documents=Path(env["TRUSTED_DOCUMENTS"]) if env.get("TRUSTED_DOCUMENTS") else None,
            max_websocket_connections=int(env.get("MAX_WEBSOCKET_CONNECTIONS", "1000")),
            max_subscriptions_per_connection=int(env.get("MAX_SUBSCRIPTIONS_PER_CONNECTION", "50")),
            websocket_keepalive_seconds=float(env.get("WEBSOCKET_KEEPALIVE_SECONDS", "15")),
            subscription_coalesce_ms=int(env.get("SUBSCRIPTION_COALESCE_MS", "250")),
            log_level=env.get("LOG_LEVEL", "INFO").upper(),
            log_format=env.get("LOG_FORMAT") or None,  # type: ignore[arg-type]
            otel_enabled=_flag(env.get("OTEL_ENABLED", "false")),
            demo_token=env.get("DEMO_TOKEN") or None,
        )

    @property
    def introspection(self) -> bool:
        return self.environment == "development"
