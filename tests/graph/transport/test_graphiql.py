"""GraphiQL: the page, its locally served assets, the demo token, and a real browser with no internet.

The browser test drives Debian's Chromium (installed on first use when the
tests run as root) with npm `playwright-core` from `.cache/npm/`, so it needs
Node.js 20+ and npm.  Its screenshot is kept in `.cache/screenshots/`.
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
from pathlib import Path

import httpx
import pytest

from db.seed.rows import master_flow_row
from db.settings import changed
from db.tables import master_flows
from graph.guards.auth import issue_token
from graph.settings import Settings
from graph.transport import graphiql
from graph.transport.graphiql import FILES, GraphiQLPage, install_assets
from tests.conftest import ROOT, client_for, in_production, npm_packages, serving
from tests.programs import debian_program

BROWSER_SCRIPT = Path(__file__).with_name("graphiql_browser.mjs")
BROWSER_TIMEOUT_SECONDS = 60
CHROMIUM = Path("/usr/bin/chromium")
SCREENSHOTS = ROOT / ".cache" / "screenshots"


@pytest.fixture(scope="session")
def graphiql_assets() -> Path:
    """The installed assets directory; fails the test, saying why, when npm cannot install them."""
    problem = install_assets()
    if problem is not None:
        pytest.fail(f"GraphiQL's assets could not be installed: {problem}")
    return graphiql.ASSETS_DIR


@pytest.fixture
def no_assets(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(graphiql, "ASSETS_DIR", tmp_path / "missing")


@pytest.fixture(scope="session")
def chromium() -> Path:
    """Debian's Chromium, installed with apt-get when missing and the tests run as root."""
    return debian_program(CHROMIUM, "chromium")


def _page(settings: Settings) -> str:
    return GraphiQLPage(settings).html()


def test_the_page_loads_every_asset_from_flowgate_once_installed(graphiql_assets, settings):
    html = _page(settings)

    assert [name for name in FILES if f'"/graphiql/static/{name}"' in html] == list(FILES)
    assert "unpkg.com" not in html


def test_the_page_without_assets_loads_them_from_a_cdn_and_says_it_needs_internet(no_assets, settings):
    html = _page(settings)

    assert "https://unpkg.com/graphiql@3.9.0/graphiql.min.js" in html
    assert "needs internet. Run `python -m graph assets`" in html


def test_the_demo_token_fills_the_headers_pane_in_development(settings):
    html = _page(changed(settings, demo_token="demo.token.value"))

    assert json.dumps(json.dumps({"Authorization": "Bearer demo.token.value"})) in html


def test_the_headers_pane_starts_empty_without_a_demo_token(settings):
    assert '"headers": null' in _page(settings)


def test_production_refuses_a_demo_token():
    with pytest.raises(ValueError, match=r"DEMO_TOKEN must not be set in production\."):
        in_production(Settings(), demo_token="demo.token.value")


async def test_flowgate_serves_the_assets(graphiql_assets, http):
    response = await http.get("/graphiql/static/graphiql.min.js")

    assert response.status_code == 200
    assert response.headers["content-type"].startswith(("text/javascript", "application/javascript"))
    assert response.content == (graphiql_assets / "graphiql.min.js").read_bytes()


@pytest.mark.parametrize("name", ["versions.json", "..%2Fgraphiql.html", "missing.js"])
async def test_only_the_listed_assets_are_served(graphiql_assets, http, name):
    response = await http.get(f"/graphiql/static/{name}")

    assert response.status_code == 404


async def test_graphiql_runs_a_query_in_chromium_without_internet(graphiql_assets, chromium, settings, db, tenant, tmp_path):
    flow = master_flow_row(tenant, flow_name="Frankfurt DC1")
    await db.insert(master_flows, [flow])
    token = issue_token(settings, tenant)
    prefix = npm_packages({"playwright-core": 1})
    screenshot = tmp_path / "graphiql.png"
    query = f'{{ masterFlow(flowId: "{flow["flow_id"]}") {{ flowId name }} }}'

    async with serving(settings, tmp_path, DEMO_TOKEN=token) as url:
        process = await asyncio.create_subprocess_exec(
            "node",
            str(BROWSER_SCRIPT),
            str(prefix),
            f"{url}/graphql",
            str(screenshot),
            env={**os.environ, "QUERY": query, "CHROMIUM": str(chromium)},
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        async with asyncio.timeout(BROWSER_TIMEOUT_SECONDS):
            stdout, stderr = await process.communicate()
    assert process.returncode == 0 and stdout, (stdout.decode(), stderr.decode())
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(screenshot, SCREENSHOTS / "graphiql.png")
    seen = json.loads(stdout)

    assert seen["offHost"] == []
    assert seen["explorer"] is True
    assert json.loads(seen["headers"]) == {"Authorization": f"Bearer {token}"}
    assert json.loads(seen["result"]) == {"data": {"masterFlow": {"flowId": str(flow["flow_id"]), "name": "Frankfurt DC1"}}}


def test_the_assets_go_to_the_checkouts_git_ignored_cache():
    assert graphiql.ASSETS_DIR == ROOT / ".cache" / "graphiql" / "static"


# Production: off unless asked for, and never from a CDN

BROWSER = {"Accept": "text/html,application/xhtml+xml"}


async def _opened_in_a_browser(settings: Settings, reader) -> httpx.Response:
    async with client_for(settings, reader) as client:
        return await client.get("/graphql", headers=BROWSER)


async def test_production_serves_no_graphiql_by_default(graphiql_assets, settings, reader):
    async with client_for(in_production(settings), reader) as client:
        page = await client.get("/graphql", headers=BROWSER)
        asset = await client.get("/graphiql/static/graphiql.min.js")

    assert page.status_code == 400
    assert "text/html" not in page.headers["content-type"]
    assert asset.status_code == 404


async def test_production_with_graphiql_on_serves_the_installed_assets_only(graphiql_assets, settings, reader):
    response = await _opened_in_a_browser(in_production(settings, graphiql=True), reader)

    assert response.status_code == 200
    assert '"/graphiql/static/graphiql.min.js"' in response.text
    assert "unpkg.com" not in response.text


async def test_production_with_graphiql_on_but_no_assets_answers_503_naming_the_command(no_assets, settings, reader):
    response = await _opened_in_a_browser(in_production(settings, graphiql=True), reader)

    assert response.status_code == 503
    assert response.text == graphiql.NOT_INSTALLED
    assert "unpkg.com" not in response.text


async def test_development_with_graphiql_off_serves_none(graphiql_assets, settings, reader):
    response = await _opened_in_a_browser(changed(settings, graphiql=False), reader)

    assert response.status_code == 400
