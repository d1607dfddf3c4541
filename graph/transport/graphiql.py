"""GraphiQL for browsers: the page, its assets, and `python -m graph assets`, which installs them.

The assets (GraphiQL, its explorer plugin and React, as UMD builds) come from
the npm registry at setup and live in the git-ignored `.cache/graphiql/static`;
Flowgate serves them under `/graphiql/static/`.  Until they are installed the
page loads the same versions from unpkg.com, which needs internet, and says so;
in production it never does, and answers 503 until they are installed.
GraphiQL is served at all only when `Settings.serves_graphiql`.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, PlainTextResponse, Response

from graph.settings import Settings

__all__ = ["ASSETS_URL", "GraphiQLPage", "install_assets", "serve_asset"]

ASSETS_URL = "/graphiql/static"
ASSETS_DIR = Path(__file__).resolve().parents[2] / ".cache" / "graphiql" / "static"
TEMPLATE = Path(__file__).with_name("graphiql.html")
NPM_INSTALL_TIMEOUT_SECONDS = 300

PACKAGES = {"react": "18.3.1", "react-dom": "18.3.1", "graphiql": "3.9.0", "@graphiql/plugin-explorer": "3.2.6"}
# Served name -> (package, path in the package), in the order the page loads them.
FILES = {
    "react.production.min.js": ("react", "umd/react.production.min.js"),
    "react-dom.production.min.js": ("react-dom", "umd/react-dom.production.min.js"),
    "graphiql.min.js": ("graphiql", "graphiql.min.js"),
    "graphiql.min.css": ("graphiql", "graphiql.min.css"),
    "plugin-explorer.umd.js": ("@graphiql/plugin-explorer", "dist/index.umd.js"),
    "plugin-explorer.css": ("@graphiql/plugin-explorer", "dist/style.css"),
}
VERSIONS_FILE = "versions.json"
NOT_INSTALLED = "GraphiQL's assets are not installed on this server: run `python -m graph assets` (needs Node.js and npm)."
OFFLINE_HINT = (
    "GraphiQL's assets are not installed, so this page loads them from unpkg.com and needs internet. "
    "Run `python -m graph assets` (needs Node.js and npm) to serve them from Flowgate."
)


def assets_installed() -> bool:
    """Whether `.cache/graphiql/static` holds every file of the pinned `PACKAGES` versions."""
    versions = ASSETS_DIR / VERSIONS_FILE
    if not versions.is_file() or json.loads(versions.read_text()) != PACKAGES:
        return False
    return all((ASSETS_DIR / name).is_file() for name in FILES)


def install_assets() -> str | None:
    """Installs the assets with npm unless they are there already; returns why it could not, or None.

    npm installs into a temporary prefix; only the files of `FILES` are kept.
    """
    if assets_installed():
        return None
    npm = shutil.which("npm")
    if npm is None:
        return "npm is not on PATH. Install Node.js 20+ with npm, then run `python -m graph assets`."
    with tempfile.TemporaryDirectory(prefix="flowgate-graphiql-") as prefix:
        specs = [f"{name}@{version}" for name, version in PACKAGES.items()]
        try:
            result = subprocess.run(  # noqa: S603 - npm with pinned package specs, no shell
                [npm, "install", "--no-audit", "--no-fund", "--no-save", "--prefix", prefix, *specs],
                capture_output=True,
                text=True,
                timeout=NPM_INSTALL_TIMEOUT_SECONDS,
                check=False,
            )
        except subprocess.TimeoutExpired:
            return f"`npm install` did not finish within {NPM_INSTALL_TIMEOUT_SECONDS} seconds."
        if result.returncode != 0:
            return f"`npm install {' '.join(specs)}` failed:\n{result.stderr.strip()}"
        ASSETS_DIR.mkdir(parents=True, exist_ok=True)
        for name, (package, path) in FILES.items():
            shutil.copyfile(Path(prefix, "node_modules", package, path), ASSETS_DIR / name)
    (ASSETS_DIR / VERSIONS_FILE).write_text(json.dumps(PACKAGES))
    return None


def main() -> None:
    """`python -m graph assets`: exits 1, saying why and what GraphiQL does instead, when npm cannot install."""
    problem = install_assets()
    if problem is not None:
        print(
            f"GraphiQL assets not installed: {problem}\nUntil they are, GraphiQL loads them from unpkg.com, which needs internet.",
            file=sys.stderr,
        )
        sys.exit(1)
    print(f"GraphiQL assets are in {ASSETS_DIR}.")


async def serve_asset(request: Request) -> Response:
    """`GET /graphiql/static/{name}`: one of `FILES`, or 404."""
    name = request.path_params["name"]
    if name not in FILES or not (ASSETS_DIR / name).is_file():
        return PlainTextResponse("Not found.", status_code=404)
    return FileResponse(ASSETS_DIR / name)


def _tags(base_url: str | None) -> str:
    """The page's `<link>` and `<script>` tags: from `base_url`, or from unpkg.com when it is None."""
    tags = []
    for name, (package, path) in FILES.items():
        url = f"{base_url}/{name}" if base_url else f"https://unpkg.com/{package}@{PACKAGES[package]}/{path}"
        if name.endswith(".css"):
            tags.append(f'<link rel="stylesheet" href="{url}" />')
        else:
            tags.append(f'<script src="{url}" crossorigin></script>')
    return "\n    ".join(tags)


def _config_json(config: dict[str, object]) -> str:
    """`config` as JSON that is safe inside a `<script>` element."""
    return json.dumps(config).replace("<", "\\u003c")


class GraphiQLPage:
    """The GraphiQL page for `/graphql`, served with local assets once they are installed.

    In development with a `DEMO_TOKEN`, the Headers pane starts with its
    Authorization header; in production it never does, and never loads
    assets from a CDN.
    """

    def __init__(self, settings: Settings) -> None:
        self._cdn_allowed = settings.environment == "development"
        headers = None
        if settings.environment == "development" and settings.demo_token:
            headers = json.dumps({"Authorization": f"Bearer {settings.demo_token}"})
        template = TEMPLATE.read_text()
        self._local = self._render(template, _tags(ASSETS_URL), headers=headers, hint=None)
        self._cdn = self._render(template, _tags(None), headers=headers, hint=OFFLINE_HINT)

    @staticmethod
    def _render(template: str, tags: str, *, headers: str | None, hint: str | None) -> str:
        config = _config_json({"url": "/graphql", "headers": headers, "hint": hint})
        return template.replace("{{ assets }}", tags).replace("{{ config }}", config)

    def html(self) -> str | None:
        """The page: with the installed assets, else from the CDN in development; None in production without them."""
        if assets_installed():
            return self._local
        return self._cdn if self._cdn_allowed else None

    def response(self) -> Response:
        """The page, or 503 saying how to install the assets."""
        html = self.html()
        return HTMLResponse(html) if html is not None else PlainTextResponse(NOT_INSTALLED, status_code=503)
