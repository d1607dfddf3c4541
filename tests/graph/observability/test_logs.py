"""Structured logs (graph/logs.py): JSON lines on stderr with the request's id and operation, never a secret."""

from __future__ import annotations

import logging
import uuid

import orjson
import pytest

from db.reader import Reader
from db.settings import changed
from graph.execution.pipeline import Pipeline
from graph.guards.auth import issue_token
from graph.observability.logs import configure_logging, log_fields
from tests.conftest import client_for, in_production, serving

SECRET = "an-observability-test-secret-of-at-least-32-bytes"
FLOW_QUERY = "query FlowProbe($flowId: UUID!) { masterFlow(flowId: $flowId) { flowId name } }"


@pytest.fixture
def json_settings(settings):
    yield changed(settings, jwt_secret=SECRET, log_format="json")
    configure_logging(settings)  # the session's apps log as text again


def json_lines(stderr: str) -> list[dict[str, object]]:
    return [orjson.loads(line) for line in stderr.splitlines() if line.startswith("{")]


async def post_with_token(client, token: str):
    return await client.post(
        "/graphql",
        json={"query": FLOW_QUERY, "operationName": "FlowProbe", "variables": {"flowId": str(uuid.uuid4())}},
        headers={"Authorization": f"Bearer {token}"},
    )


async def test_an_error_is_one_json_line_with_the_request_id_and_operation(json_settings, tenant, capsys):
    # A schema without the tables: the resolver's statement fails, and the error is logged during execution.
    database = changed(json_settings.database, schema_name="no_such_schema")
    token = issue_token(json_settings, tenant)
    reader = await Reader.connect(database)
    try:
        async with client_for(changed(json_settings, database=database), reader) as client:
            response = await post_with_token(client, token)
    finally:
        await reader.close()

    stderr = capsys.readouterr().err
    request_id = response.json()["errors"][0]["extensions"]["requestId"]
    [line] = [line for line in json_lines(stderr) if line.get("request_id") == request_id]
    assert {key: line[key] for key in ("level", "logger", "message", "request_id", "operation")} == {
        "level": "ERROR",
        "logger": "flowgate.errors",
        "message": f"request {request_id}: INTERNAL_SERVER_ERROR",
        "request_id": request_id,
        "operation": "FlowProbe",
    }
    assert "no_such_schema" in line["exception"] or "does not exist" in line["exception"]
    for secret in (token, SECRET, "Bearer", "uthorization", "flowId"):
        assert secret not in stderr


async def test_tokens_and_the_jwt_secret_in_a_message_are_redacted(json_settings, reader, tenant, monkeypatch, capsys):
    token = issue_token(json_settings, tenant)

    def fail(self, query):
        raise RuntimeError(f"echoed Authorization: Bearer {token} raw {token} key {SECRET}")

    monkeypatch.setattr(Pipeline, "prepare", fail)
    async with client_for(json_settings, reader) as client:
        response = await post_with_token(client, token)

    stderr = capsys.readouterr().err
    assert response.status_code == 500
    assert "echoed Authorization: [REDACTED] raw [REDACTED] key [REDACTED]" in stderr
    assert token not in stderr and SECRET not in stderr


async def test_the_operation_name_is_bound_to_records_logged_during_execution(settings, capsys):
    configure_logging(changed(settings, log_format="json"))
    try:
        with log_fields(request_id="r1"), log_fields(operation="FlowProbe"):
            logging.getLogger("flowgate.test").warning("inside")
        logging.getLogger("flowgate.test").warning("outside")
    finally:
        configure_logging(settings)

    inside, outside = json_lines(capsys.readouterr().err)
    assert (inside["message"], inside["request_id"], inside["operation"]) == ("inside", "r1", "FlowProbe")
    assert outside["message"] == "outside" and "request_id" not in outside and "operation" not in outside


def test_text_lines_carry_the_bound_fields(settings, capsys):
    configure_logging(settings)

    with log_fields(request_id="r2", operation="FlowProbe"):
        logging.getLogger("flowgate.test").warning("plain")

    [line] = capsys.readouterr().err.splitlines()
    assert line.endswith(" WARNING flowgate.test request_id=r2 operation=FlowProbe plain")


def test_production_logs_json_and_development_text_by_default(settings):
    production = in_production(settings)
    for configured, expected in ((settings, "TextFormatter"), (production, "JsonFormatter")):
        configure_logging(configured)
        [handler] = [h for h in logging.getLogger().handlers if getattr(h, "flowgate", False)]
        assert type(handler.formatter).__name__ == expected
    configure_logging(settings)


async def test_the_served_gateway_logs_only_json_lines_uvicorns_included(settings, tmp_path):
    async with serving(settings, tmp_path, LOG_FORMAT="json"):
        pass

    lines = (tmp_path / "serve.log").read_text().splitlines()
    records = [orjson.loads(line) for line in lines]
    assert any(record["logger"].startswith("uvicorn") and "startup complete" in record["message"] for record in records)
