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
