"""All of the gateway's settings: one declaration per environment variable, validated at start-up.

Each field names its variable (`validation_alias`) and its default; the
README's configuration table lists the same variables (a test checks both
ways).  Constructing `Settings` reads the environment, keyword arguments
winning over it; `Settings.from_env()` is the same, with a refusal turned
into one `SettingsError` naming the variable.
"""

from __future__ import annotations

import hashlib
import hmac
from pathlib import Path
from typing import Literal, Self
from urllib.parse import urlsplit

from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import load_pem_public_key
from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from db.settings import ENVIRONMENT, DatabaseSettings, SettingsError, at_least_one, build

__all__ = ["DEVELOPMENT_JWT_SECRET", "PublicKey", "Settings", "SettingsError"]

DEVELOPMENT_JWT_SECRET = "flowgate-development-secret-not-for-production"  # noqa: S105 - refused in production
_CURSOR_KEY_LABEL = b"flowgate cursor key v1"
_REDIS_SCHEMES = ("redis://", "rediss://", "unix://")  # what redis-py's from_url accepts

PublicKey = rsa.RSAPublicKey | ec.EllipticCurvePublicKey
"""The identity provider's public keys Flowgate verifies tokens with: RSA (RS256) or EC on P-256 (ES256)."""


def _public_key(pem: bytes) -> PublicKey:
    """The RSA or P-256 public key `pem` holds; ValueError otherwise, without repeating what it holds."""
    refusal = "JWT_PUBLIC_KEY must be an RSA or P-256 EC public key in PEM, or the path of a file holding one."
    try:
        key = load_pem_public_key(pem)
    except ValueError:
        raise ValueError(refusal) from None
    if isinstance(key, rsa.RSAPublicKey) or (isinstance(key, ec.EllipticCurvePublicKey) and isinstance(key.curve, ec.SECP256R1)):
        return key
    raise ValueError(refusal)


class Settings(BaseSettings):
    """The gateway's configuration (see the README's table for what each variable does)."""

    model_config = SettingsConfigDict(**ENVIRONMENT, arbitrary_types_allowed=True)  # JWT_PUBLIC_KEY is held as a key

    database: DatabaseSettings = Field(default_factory=lambda: DatabaseSettings())
    environment: Literal["development", "production"] = Field("development", validation_alias="FLOWGATE_ENV")
    host: str = Field("127.0.0.1", validation_alias="HOST")
    port: int = Field(8000, validation_alias="PORT")
    jwt_secret: str = Field(DEVELOPMENT_JWT_SECRET, validation_alias="JWT_SECRET")
    cursor_secret: str | None = Field(None, validation_alias="CURSOR_SECRET")
    graphiql: bool | None = Field(None, validation_alias="GRAPHIQL")  # None: on in development only
    jwt_client_account_claim: str = Field("client_account_id", validation_alias="JWT_CLIENT_ACCOUNT_CLAIM")
    jwt_engagement_claim: str = Field("engagement_id", validation_alias="JWT_ENGAGEMENT_CLAIM")
    jwt_public_key: PublicKey | None = Field(None, validation_alias="JWT_PUBLIC_KEY")
    jwks_url: str | None = Field(None, validation_alias="JWKS_URL")
    jwks_cache_seconds: float = Field(300.0, gt=0, validation_alias="JWKS_CACHE_SECONDS")
    jwks_refetch_seconds: float = Field(10.0, gt=0, validation_alias="JWKS_REFETCH_SECONDS")
    jwks_timeout_seconds: float = Field(5.0, gt=0, validation_alias="JWKS_TIMEOUT_SECONDS")
    jwt_issuer: str | None = Field(None, validation_alias="JWT_ISSUER")
    jwt_audience: str | None = Field(None, validation_alias="JWT_AUDIENCE")
    jwt_leeway_seconds: float = Field(0.0, ge=0, validation_alias="JWT_LEEWAY_SECONDS")
    auth_mode: Literal["jwt", "platform"] = Field("jwt", validation_alias="AUTH_MODE")
    trusted_tenant_headers: bool = Field(False, validation_alias="TRUSTED_TENANT_HEADERS")
    tenant_access_cache_seconds: float = Field(60.0, ge=0, validation_alias="TENANT_ACCESS_CACHE_SECONDS")
    tenant_access_cache_size: int = Field(10_000, validation_alias="TENANT_ACCESS_CACHE_SIZE")
    max_query_depth: int = Field(12, validation_alias="MAX_QUERY_DEPTH")
    max_aliases: int = Field(30, validation_alias="MAX_ALIASES")
    max_tokens: int = Field(2000, validation_alias="MAX_TOKENS")
    max_nodes: int = Field(100_000, validation_alias="MAX_NODES")
    max_body_bytes: int = Field(100_000, validation_alias="MAX_BODY_BYTES")
    max_batch_size: int = Field(10, validation_alias="MAX_BATCH_SIZE")
    rate_limit_points: int = Field(0, ge=0, validation_alias="RATE_LIMIT_POINTS")  # 0: no rate limits
    rate_limit_window_seconds: float = Field(60.0, gt=0, validation_alias="RATE_LIMIT_WINDOW_SECONDS")
    redis_url: str | None = Field(None, validation_alias="REDIS_URL")  # None: each process keeps its own windows
    redis_key_prefix: str = Field("flowgate:rate-limit:", validation_alias="REDIS_KEY_PREFIX")
    redis_timeout_ms: int = Field(100, validation_alias="REDIS_TIMEOUT_MS")
    request_timeout_ms: int = Field(10_000, validation_alias="REQUEST_TIMEOUT_MS")
    heavy_query_nodes: int = Field(5_000, validation_alias="HEAVY_QUERY_NODES")
    heavy_query_concurrency: int = Field(2, validation_alias="HEAVY_QUERY_CONCURRENCY")
    workers: int = Field(1, validation_alias="WEB_CONCURRENCY")
    shutdown_drain_seconds: float | None = Field(None, ge=0, validation_alias="SHUTDOWN_DRAIN_SECONDS")  # None: 5 s in production, 0 else
    csrf_prevention: bool = Field(True, validation_alias="CSRF_PREVENTION")
    apq_cache_size: int = Field(1024, validation_alias="APQ_CACHE_SIZE")
    fast_executor: bool = Field(True, validation_alias="FAST_EXECUTOR")
    trusted_documents: Path | None = Field(None, validation_alias="TRUSTED_DOCUMENTS")
    max_websocket_connections: int = Field(1000, validation_alias="MAX_WEBSOCKET_CONNECTIONS")
    max_subscriptions_per_connection: int = Field(50, validation_alias="MAX_SUBSCRIPTIONS_PER_CONNECTION")
    websocket_keepalive_seconds: float = Field(15.0, gt=0, validation_alias="WEBSOCKET_KEEPALIVE_SECONDS")
    subscription_coalesce_ms: int = Field(250, ge=0, le=10_000, validation_alias="SUBSCRIPTION_COALESCE_MS")
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"] = Field("INFO", validation_alias="LOG_LEVEL")
    log_format: Literal["json", "text"] | None = Field(None, validation_alias="LOG_FORMAT")  # None: JSON in production
    otel_enabled: bool = Field(False, validation_alias="OTEL_ENABLED")
    demo_token: str | None = Field(None, validation_alias="DEMO_TOKEN")

    _request_timeout = field_validator("request_timeout_ms")(at_least_one("REQUEST_TIMEOUT_MS"))
    _heavy_nodes = field_validator("heavy_query_nodes")(at_least_one("HEAVY_QUERY_NODES"))
    _heavy_concurrency = field_validator("heavy_query_concurrency")(at_least_one("HEAVY_QUERY_CONCURRENCY"))
    _workers = field_validator("workers")(at_least_one("WEB_CONCURRENCY"))
    _apq = field_validator("apq_cache_size")(at_least_one("APQ_CACHE_SIZE"))
    _access_cache = field_validator("tenant_access_cache_size")(at_least_one("TENANT_ACCESS_CACHE_SIZE"))
    _sockets = field_validator("max_websocket_connections")(at_least_one("MAX_WEBSOCKET_CONNECTIONS"))
    _subscriptions = field_validator("max_subscriptions_per_connection")(at_least_one("MAX_SUBSCRIPTIONS_PER_CONNECTION"))
    _redis_timeout = field_validator("redis_timeout_ms")(at_least_one("REDIS_TIMEOUT_MS"))

    @field_validator("log_level", mode="before")
    @classmethod
    def _upper(cls, value: object) -> object:
        return value.upper() if isinstance(value, str) else value

    @field_validator("trusted_documents")
    @classmethod
    def _manifest_file(cls, value: Path | None) -> Path | None:
        if value is not None and not value.is_file():
            raise ValueError(f"TRUSTED_DOCUMENTS must name a manifest file; {value} is not one.")
        return value

    @field_validator("redis_url")
    @classmethod
    def _redis_scheme(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith(_REDIS_SCHEMES):
            raise ValueError("REDIS_URL must be a redis://, rediss:// or unix:// URL.")
        return value

    @field_validator("jwt_secret")
    @classmethod
    def _long_enough(cls, value: str) -> str:
        if len(value.encode()) < 32:
            raise ValueError("JWT_SECRET must be at least 32 bytes long (HS256).")
        return value

    @field_validator("cursor_secret")
    @classmethod
    def _cursor_secret_long_enough(cls, value: str | None) -> str | None:
        if value is not None and len(value.encode()) < 32:
            raise ValueError("CURSOR_SECRET must be at least 32 bytes long.")
        return value

    @field_validator("jwt_public_key", mode="before")
    @classmethod
    def _pem(cls, value: object) -> object:
        """PEM text, or the path of a file holding it, becomes the key; a key (a copy of settings) stays one."""
        if not isinstance(value, str):
            return value
        if value.lstrip().startswith("-----BEGIN"):
            return _public_key(value.encode())
        path = Path(value)
        if not path.is_file():
            raise ValueError("JWT_PUBLIC_KEY must be a public key in PEM, or the path of a file holding one; it is neither.")
        return _public_key(path.read_bytes())

    @field_validator("jwks_url")
    @classmethod
    def _jwks_url(cls, value: str | None) -> str | None:
        if value is not None:
            url = urlsplit(value)
            if url.scheme not in ("http", "https") or not url.hostname or url.username is not None or url.password is not None:
                raise ValueError("JWKS_URL must be an http or https URL with a host and without credentials.")
        return value

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        if self.environment == "production":
            self._safe_for_production()
        if 0 < self.rate_limit_points < self.max_nodes:
            # An operation the node limit admits could never run: it costs more than a whole window holds.
            raise ValueError(f"RATE_LIMIT_POINTS must be 0 (off) or at least MAX_NODES ({self.max_nodes}), so that every operation fits in a window.")
        if self.jwt_public_key is not None and self.jwks_url is not None:
            raise ValueError("JWT_PUBLIC_KEY and JWKS_URL exclude each other: set the one your identity provider offers.")
        if self.auth_mode == "platform":
            token_rules = {
                "JWT_PUBLIC_KEY": self.jwt_public_key,
                "JWKS_URL": self.jwks_url,
                "JWT_ISSUER": self.jwt_issuer,
                "JWT_AUDIENCE": self.jwt_audience,
                "JWT_LEEWAY_SECONDS": self.jwt_leeway_seconds,
            }
            for variable, value in token_rules.items():
                if value:
                    raise ValueError(f"{variable} does not apply to AUTH_MODE=platform, whose login tokens are HS256 with JWT_SECRET.")
        if self.jwks_refetch_seconds > self.jwks_cache_seconds:
            raise ValueError("JWKS_REFETCH_SECONDS must not exceed JWKS_CACHE_SECONDS.")
        if self.auth_mode == "platform" and self.trusted_tenant_headers:
            raise ValueError("TRUSTED_TENANT_HEADERS does not apply to AUTH_MODE=platform, which checks the tenant headers itself.")
        return self

    def _safe_for_production(self) -> None:
        """Refuse, naming the variable, what only development may leave unset or set."""
        if self.database.url is None:
            raise ValueError("DATABASE_URL must be set in production: the embedded PostgreSQL is for development only.")
        if self.jwt_secret == DEVELOPMENT_JWT_SECRET and self.jwt_public_key is None and self.jwks_url is None:
            # With an identity provider's keys, JWT_SECRET verifies nothing: HS256 tokens are refused, cursors have CURSOR_SECRET.
            raise ValueError("JWT_SECRET must be set in production, unless JWT_PUBLIC_KEY or JWKS_URL verifies the tokens.")
        if self.cursor_secret is None:
            raise ValueError("CURSOR_SECRET must be set in production: cursors are signed with a secret of their own.")
        if self.jwks_url is not None and urlsplit(self.jwks_url).scheme != "https":
            raise ValueError("JWKS_URL must be https in production: keys fetched over http could be anyone's.")
        if self.demo_token:
            raise ValueError("DEMO_TOKEN must not be set in production.")

    @classmethod
    def from_env(cls) -> Self:
        """The settings the environment gives; `SettingsError` names a variable that cannot work."""
        return build(cls)

    @property
    def introspection(self) -> bool:
        return self.environment == "development"

    @property
    def serves_graphiql(self) -> bool:
        """`GRAPHIQL` when set, else whether this is development."""
        return self.graphiql if self.graphiql is not None else self.environment == "development"

    @property
    def drain_seconds(self) -> float:
        """How long SIGTERM keeps serving while not ready (`graph.transport.draining`): `SHUTDOWN_DRAIN_SECONDS`, else 5 s in production."""
        if self.shutdown_drain_seconds is not None:
            return self.shutdown_drain_seconds
        return 5.0 if self.environment == "production" else 0.0

    @property
    def cursor_key(self) -> bytes:
        """The key cursors are signed and sealed with: `CURSOR_SECRET`, else (development only) one derived from `JWT_SECRET`.

        The derivation is HMAC-SHA256 of a fixed label under `JWT_SECRET`, so the cursor key
        never equals the token key, and a cursor tells nothing about it.
        """
        if self.cursor_secret is not None:
            return self.cursor_secret.encode()
        return hmac.new(self.jwt_secret.encode(), _CURSOR_KEY_LABEL, hashlib.sha256).digest()
