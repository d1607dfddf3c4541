"""Gateway settings from the environment: timeouts, the bulkhead and workers, and refusals that name their variable."""

from __future__ import annotations

import re

import pytest
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat, PublicFormat

from db.settings import SettingsError, variables_of
from graph.settings import Settings
from tests.conftest import ROOT
from tests.graph.guards.identity_provider import RSA_KEY

RELIABILITY_VARIABLES = ["REQUEST_TIMEOUT_MS", "HEAVY_QUERY_NODES", "HEAVY_QUERY_CONCURRENCY", "WEB_CONCURRENCY"]


def set_environment(monkeypatch, environment: dict[str, str]) -> None:
    """Set each variable of `environment` for the test."""
    for variable, value in environment.items():
        monkeypatch.setenv(variable, value)


def test_the_request_timeout_bulkhead_and_workers_come_from_the_environment(monkeypatch):
    for variable, value in zip(RELIABILITY_VARIABLES, ["1500", "800", "3", "4"], strict=True):
        monkeypatch.setenv(variable, value)

    settings = Settings.from_env()

    assert (settings.request_timeout_ms, settings.heavy_query_nodes, settings.heavy_query_concurrency, settings.workers) == (
        1500,
        800,
        3,
        4,
    )


@pytest.mark.parametrize("variable", RELIABILITY_VARIABLES)
def test_a_value_below_one_is_refused_by_name(monkeypatch, variable: str):
    monkeypatch.setenv(variable, "0")

    with pytest.raises(ValueError, match=f"^{variable} must be at least 1.$"):
        Settings.from_env()


def test_auth_mode_and_the_tenant_access_cache_come_from_the_environment(monkeypatch):
    monkeypatch.setenv("AUTH_MODE", "platform")
    monkeypatch.setenv("TENANT_ACCESS_CACHE_SECONDS", "5")
    monkeypatch.setenv("TENANT_ACCESS_CACHE_SIZE", "100")

    settings = Settings.from_env()

    assert (settings.auth_mode, settings.tenant_access_cache_seconds, settings.tenant_access_cache_size) == ("platform", 5.0, 100)


@pytest.mark.parametrize(
    ("environment", "message"),
    [
        ({"AUTH_MODE": "oauth"}, "AUTH_MODE: Input should be 'jwt' or 'platform'."),
        ({"AUTH_MODE": "platform", "TRUSTED_TENANT_HEADERS": "true"}, "TRUSTED_TENANT_HEADERS does not apply to AUTH_MODE=platform"),
        ({"TENANT_ACCESS_CACHE_SECONDS": "-1"}, "TENANT_ACCESS_CACHE_SECONDS: Input should be greater than or equal to 0."),
        ({"TENANT_ACCESS_CACHE_SIZE": "0"}, "TENANT_ACCESS_CACHE_SIZE must be at least 1."),
    ],
)
def test_an_auth_setting_that_cannot_work_is_refused_by_name(monkeypatch, environment, message):
    set_environment(monkeypatch, environment)

    with pytest.raises(ValueError, match=f"^{message}"):
        Settings.from_env()


def test_the_rate_limit_and_redis_come_from_the_environment(monkeypatch):
    environment = {
        "RATE_LIMIT_POINTS": "200000",
        "RATE_LIMIT_WINDOW_SECONDS": "3600",
        "REDIS_URL": "redis://cache:6379/2",
        "REDIS_KEY_PREFIX": "gateway:",
        "REDIS_TIMEOUT_MS": "25",
    }
    set_environment(monkeypatch, environment)

    settings = Settings.from_env()

    assert (
        settings.rate_limit_points,
        settings.rate_limit_window_seconds,
        settings.redis_url,
        settings.redis_key_prefix,
        settings.redis_timeout_ms,
    ) == (200_000, 3600.0, "redis://cache:6379/2", "gateway:", 25)


@pytest.mark.parametrize(
    ("environment", "message"),
    [
        (
            {"RATE_LIMIT_POINTS": "5000"},
            "RATE_LIMIT_POINTS must be 0 (off) or at least MAX_NODES (100000), so that every operation fits in a window.",
        ),
        ({"RATE_LIMIT_POINTS": "-1"}, "RATE_LIMIT_POINTS: Input should be greater than or equal to 0."),
        ({"RATE_LIMIT_WINDOW_SECONDS": "0"}, "RATE_LIMIT_WINDOW_SECONDS: Input should be greater than 0."),
        ({"REDIS_URL": "http://cache:6379"}, "REDIS_URL must be a redis://, rediss:// or unix:// URL."),
        ({"REDIS_TIMEOUT_MS": "0"}, "REDIS_TIMEOUT_MS must be at least 1."),
    ],
)
def test_a_rate_limit_setting_that_cannot_work_is_refused_by_name(monkeypatch, environment, message):
    set_environment(monkeypatch, environment)

    with pytest.raises(SettingsError) as refused:
        Settings.from_env()

    assert str(refused.value) == message


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("PORT", "eighty", "PORT: Input should be a valid integer, unable to parse string as an integer."),
        ("FAST_EXECUTOR", "maybe", "FAST_EXECUTOR: Input should be a valid boolean, unable to interpret input."),
        ("LOG_LEVEL", "loud", "LOG_LEVEL: Input should be 'DEBUG', 'INFO', 'WARNING', 'ERROR' or 'CRITICAL'."),
        ("DB_SCHEMA", "Public; drop", "DB_SCHEMA must be a lower-case SQL identifier, not 'Public; drop'."),
        ("JWT_SECRET", "short", "JWT_SECRET must be at least 32 bytes long (HS256)."),
    ],
)
def test_a_value_that_cannot_work_is_refused_naming_its_variable(monkeypatch, variable, value, message):
    monkeypatch.setenv(variable, value)

    with pytest.raises(SettingsError) as refused:
        Settings.from_env()

    assert str(refused.value) == message


def test_an_empty_variable_counts_as_unset(monkeypatch):
    monkeypatch.setenv("PORT", "")
    monkeypatch.setenv("LOG_FORMAT", "")

    settings = Settings.from_env()

    assert (settings.port, settings.log_format) == (8000, None)


def test_every_variable_read_is_in_the_readme_table_and_every_one_there_is_read():
    table = (ROOT / "README.md").read_text().split("## Configuration", 1)[1].split("\n## ", 1)[0]
    documented = {name for row in table.splitlines() if row.startswith("| `") for name in re.findall(r"`([A-Z][A-Z0-9_]+)`", row.split(" | ")[0])}

    # PROMETHEUS_MULTIPROC_DIR is read by prometheus-client itself (and set by `serve --workers N`).
    assert documented == variables_of(Settings) | {"PROMETHEUS_MULTIPROC_DIR"}


PRODUCTION = {
    "FLOWGATE_ENV": "production",
    "DATABASE_URL": "postgresql://flowgate@db.internal/platform",
    "JWT_SECRET": "a-production-jwt-secret-of-32-bytes-or-more",
    "CURSOR_SECRET": "a-production-cursor-secret-of-32-bytes",
}


def test_production_settings_with_the_database_and_both_secrets_are_accepted(monkeypatch):
    set_environment(monkeypatch, PRODUCTION)

    settings = Settings.from_env()

    assert (settings.environment, settings.serves_graphiql, settings.cursor_key) == ("production", False, PRODUCTION["CURSOR_SECRET"].encode())


@pytest.mark.parametrize(
    ("unset", "message"),
    [
        ("DATABASE_URL", "DATABASE_URL must be set in production: the embedded PostgreSQL is for development only."),
        ("JWT_SECRET", "JWT_SECRET must be set in production, unless JWT_PUBLIC_KEY or JWKS_URL verifies the tokens."),
        ("CURSOR_SECRET", "CURSOR_SECRET must be set in production: cursors are signed with a secret of their own."),
    ],
)
def test_production_refuses_to_start_without_a_setting_naming_it(monkeypatch, unset, message):
    for variable, value in PRODUCTION.items():
        if variable != unset:
            monkeypatch.setenv(variable, value)
    monkeypatch.delenv(unset, raising=False)

    with pytest.raises(SettingsError) as refused:
        Settings.from_env()

    assert str(refused.value) == message


def test_a_short_cursor_secret_is_refused_by_name(monkeypatch):
    monkeypatch.setenv("CURSOR_SECRET", "short")

    with pytest.raises(SettingsError, match=r"^CURSOR_SECRET must be at least 32 bytes long\.$"):
        Settings.from_env()


def test_the_development_cursor_key_is_derived_from_the_jwt_secret_and_differs_from_it():
    one, other = Settings(jwt_secret="j" * 32), Settings(jwt_secret="k" * 32)

    assert one.cursor_key == Settings(jwt_secret="j" * 32).cursor_key
    assert len({one.cursor_key, other.cursor_key, b"j" * 32}) == 3


def test_identity_provider_settings_come_from_the_environment(monkeypatch):
    environment = {
        "JWKS_URL": "https://login.example.com/.well-known/jwks.json",
        "JWKS_CACHE_SECONDS": "600",
        "JWKS_REFETCH_SECONDS": "30",
        "JWKS_TIMEOUT_SECONDS": "2",
        "JWT_ISSUER": "https://login.example.com/",
        "JWT_AUDIENCE": "flowgate",
        "JWT_LEEWAY_SECONDS": "15",
    }
    set_environment(monkeypatch, environment)

    settings = Settings.from_env()

    assert (
        settings.jwks_url,
        settings.jwks_cache_seconds,
        settings.jwks_refetch_seconds,
        settings.jwks_timeout_seconds,
        settings.jwt_issuer,
        settings.jwt_audience,
        settings.jwt_leeway_seconds,
    ) == ("https://login.example.com/.well-known/jwks.json", 600.0, 30.0, 2.0, "https://login.example.com/", "flowgate", 15.0)


def test_jwt_public_key_may_be_the_path_of_a_pem_file(monkeypatch, tmp_path):
    pem = tmp_path / "idp.pem"
    pem.write_text(RSA_KEY.public_pem())
    monkeypatch.setenv("JWT_PUBLIC_KEY", str(pem))

    settings = Settings.from_env()

    assert settings.jwt_public_key is not None
    assert settings.jwt_public_key.public_numbers() == RSA_KEY.private.public_key().public_numbers()


RSA_PRIVATE_PEM = RSA_KEY.private.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption()).decode()
P384_PUBLIC_PEM = ec.generate_private_key(ec.SECP384R1()).public_key().public_bytes(Encoding.PEM, PublicFormat.SubjectPublicKeyInfo).decode()
NOT_A_KEY = "JWT_PUBLIC_KEY must be an RSA or P-256 EC public key in PEM, or the path of a file holding one."


@pytest.mark.parametrize(
    ("environment", "message"),
    [
        (
            {"JWT_PUBLIC_KEY": RSA_KEY.public_pem(), "JWKS_URL": "https://login.example.com/jwks"},
            "JWT_PUBLIC_KEY and JWKS_URL exclude each other: set the one your identity provider offers.",
        ),
        (
            {"AUTH_MODE": "platform", "JWKS_URL": "https://login.example.com/jwks"},
            "JWKS_URL does not apply to AUTH_MODE=platform, whose login tokens are HS256 with JWT_SECRET.",
        ),
        (
            {"AUTH_MODE": "platform", "JWT_PUBLIC_KEY": RSA_KEY.public_pem()},
            "JWT_PUBLIC_KEY does not apply to AUTH_MODE=platform, whose login tokens are HS256 with JWT_SECRET.",
        ),
        (
            {"AUTH_MODE": "platform", "JWT_ISSUER": "https://login.example.com/"},
            "JWT_ISSUER does not apply to AUTH_MODE=platform, whose login tokens are HS256 with JWT_SECRET.",
        ),
        ({"JWT_PUBLIC_KEY": "/nowhere/idp.pem"}, "JWT_PUBLIC_KEY must be a public key in PEM, or the path of a file holding one; it is neither."),
        ({"JWT_PUBLIC_KEY": RSA_PRIVATE_PEM}, NOT_A_KEY),
        ({"JWT_PUBLIC_KEY": P384_PUBLIC_PEM}, NOT_A_KEY),
        ({"JWKS_URL": "file:///etc/jwks.json"}, "JWKS_URL must be an http or https URL with a host and without credentials."),
        ({"JWKS_URL": "https://idp:s3cret@login.example.com/jwks"}, "JWKS_URL must be an http or https URL with a host and without credentials."),
        ({"JWKS_REFETCH_SECONDS": "600"}, "JWKS_REFETCH_SECONDS must not exceed JWKS_CACHE_SECONDS."),
    ],
    ids=[
        "both-keys",
        "platform-jwks",
        "platform-public-key",
        "platform-issuer",
        "public-key-neither-pem-nor-file",
        "public-key-private",
        "public-key-p384",
        "jwks-file-url",
        "jwks-credentials",
        "refetch-beyond-cache",
    ],
)
def test_an_identity_provider_setting_that_cannot_work_is_refused_by_name(monkeypatch, environment, message):
    set_environment(monkeypatch, environment)

    with pytest.raises(SettingsError) as refused:
        Settings.from_env()

    assert str(refused.value) == message


def test_production_takes_an_identity_providers_keys_in_place_of_jwt_secret(monkeypatch):
    for variable, value in PRODUCTION.items():
        if variable != "JWT_SECRET":
            monkeypatch.setenv(variable, value)
    monkeypatch.setenv("JWKS_URL", "https://login.example.com/.well-known/jwks.json")

    settings = Settings.from_env()

    assert (settings.environment, settings.jwks_url) == ("production", "https://login.example.com/.well-known/jwks.json")


def test_production_refuses_a_jwks_url_over_http(monkeypatch):
    set_environment(monkeypatch, PRODUCTION)
    monkeypatch.setenv("JWKS_URL", "http://login.example.com/.well-known/jwks.json")

    with pytest.raises(SettingsError) as refused:
        Settings.from_env()

    assert str(refused.value) == "JWKS_URL must be https in production: keys fetched over http could be anyone's."
