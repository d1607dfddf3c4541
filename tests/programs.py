"""Real third-party programs the tests start (Chromium, PgBouncer, HAProxy), from Debian's packages.

A missing program is installed with apt-get when the tests run as root, as
CI does; otherwise the test fails and names the command that installs it.
"""

from __future__ import annotations

import os
import pwd
import shutil
import subprocess
from pathlib import Path

import pytest

__all__ = ["debian_program", "unprivileged_user"]

APT_TIMEOUT_SECONDS = 600


def debian_program(path: Path, package: str) -> Path:
    """`path`, installing Debian's `package` first when it is missing and the tests run as root."""
    if not path.is_file():
        if os.geteuid() != 0 or shutil.which("apt-get") is None:
            pytest.fail(f"This test needs {path}: run `apt-get install -y {package}` as root.")
        result = subprocess.run(
            ["apt-get", "install", "-y", "--no-install-recommends", package],
            capture_output=True,
            text=True,
            timeout=APT_TIMEOUT_SECONDS,
            check=False,
            env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"},
        )
        if result.returncode != 0 or not path.is_file():
            pytest.fail(f"`apt-get install -y {package}` failed:\n{result.stderr}")
    return path


def unprivileged_user(owner_of: Path | None = None) -> str | None:
    """The user a daemon that refuses root (PgBouncer) should run as: None unless the tests run as root.

    As root: the owner of `owner_of` (a unix socket's directory it must reach) when that is not
    root, else `nobody`.
    """
    if os.geteuid() != 0:
        return None
    if owner_of is not None and (uid := owner_of.stat().st_uid) != 0:
        return pwd.getpwuid(uid).pw_name
    return "nobody"
