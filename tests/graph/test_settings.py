"""Gateway settings from the environment: timeouts, the bulkhead and workers, and refusals that name their variable."""

from __future__ import annotations

import pytest

from graph.settings import Settings

RELIABILITY_VARIABLES = ["REQUEST_TIMEOUT_MS", "HEAVY_QUERY_NODES", "HEAVY_QUERY_CONCURRENCY", "WEB_CONCURRENCY"]


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
        ({"AUTH_MODE": "oauth"}, "AUTH_MODE must be 'jwt' or 'platform'."),
        ({"AUTH_MODE": "platform", "TRUSTED_TENANT_HEADERS": "true"}, "TRUSTED_TENANT_HEADERS does not apply to AUTH_MODE=platform"),
        ({"TENANT_ACCESS_CACHE_SECONDS": "-1"}, "TENANT_ACCESS_CACHE_SECONDS must be 0 or more."),
        ({"TENANT_ACCESS_CACHE_SIZE": "0"}, "TENANT_ACCESS_CACHE_SIZE must be at least 1."),
    ],
)
def test_an_auth_setting_that_cannot_work_is_refused_by_name(monkeypatch, environment, message):
    for variable, value in environment.items():
        monkeypatch.setenv(variable, value)

    with pytest.raises(ValueError, match=f"^{message}"):
        Settings.from_env()
