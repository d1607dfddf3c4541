"""A gateway served on the platform's database before its DBA installed Flowgate's triggers and indexes.

It serves, says at start-up what it lacks (one log line each), and refuses
subscriptions at once with a code rather than leaving them silent forever.
"""

from __future__ import annotations

import uuid

from graph.settings import Settings
from tests.conftest import serving
from tests.graph.transport.transport_ws import connected


async def test_start_up_logs_one_line_per_missing_trigger_and_index(bare_platform, tmp_path):
    async with serving(Settings(database=bare_platform.database), tmp_path):
        log = (tmp_path / "serve.log").read_text()

    lines = log.splitlines()
    assert sum("Trigger flowgate_notify on data_imports is missing" in line for line in lines) == 1
    assert sum("Index (data_import_id, row_number, id)" in line for line in lines) == 1
    assert "Cannot serve" not in log


async def test_a_subscription_without_the_triggers_fails_at_subscribe_time_with_a_code(bare_platform, tenant, tmp_path):
    served = Settings(database=bare_platform.database)
    async with serving(served, tmp_path) as url, connected(url, served, tenant) as ws:
        await ws.subscribe("1", uuid.uuid4())
        result, ending = await ws.receive(), await ws.receive()

    # graphql-transport-ws: a source stream that fails is one `next` with the errors, then `complete`.
    assert (result["id"], result["type"], result["payload"]["data"]) == ("1", "next", None)
    assert [error["extensions"]["code"] for error in result["payload"]["errors"]] == ["SUBSCRIPTIONS_UNAVAILABLE"]
    assert "lacks Flowgate's change triggers" in result["payload"]["errors"][0]["message"]
    assert ending == {"id": "1", "type": "complete"}


async def test_start_up_logs_what_keeps_the_role_from_reading(bare_platform, tmp_path):
    schema = bare_platform.database.schema_name
    await bare_platform.execute(f"DROP POLICY flowgate_read ON {schema}.discovery_flows")

    async with serving(Settings(database=bare_platform.database), tmp_path):
        log = (tmp_path / "serve.log").read_text()

    assert f"Cannot serve: Row-level security on {schema}.discovery_flows hides every row" in log
