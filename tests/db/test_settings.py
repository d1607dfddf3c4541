"""Database settings from the environment: the pool's timeouts, and refusals that name their variable."""

from __future__ import annotations

import pytest

from db.settings import DatabaseSettings


def test_the_pool_and_connect_timeouts_come_from_the_environment(monkeypatch):
    monkeypatch.setenv("DB_POOL_TIMEOUT_MS", "150")
    monkeypatch.setenv("DB_CONNECT_TIMEOUT_MS", "250")

    settings = DatabaseSettings.from_env()

    assert (settings.pool_timeout_ms, settings.connect_timeout_ms) == (150, 250)


@pytest.mark.parametrize("variable", ["DB_POOL_SIZE", "DB_STATEMENT_TIMEOUT_MS", "DB_POOL_TIMEOUT_MS", "DB_CONNECT_TIMEOUT_MS"])
def test_a_size_or_timeout_below_one_is_refused_by_name(monkeypatch, variable: str):
    monkeypatch.setenv(variable, "0")

    with pytest.raises(ValueError, match=f"^{variable} must be at least 1.$"):
        DatabaseSettings.from_env()
