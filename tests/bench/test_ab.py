"""`make ab` runs the other revision from a worktree of its own, made once."""

from __future__ import annotations

import subprocess

from tests.bench.ab import checkout
from tests.bench.servers import ROOT


def _git(*arguments: str, cwd=ROOT) -> str:
    return subprocess.run(["git", *arguments], cwd=cwd, capture_output=True, text=True, check=True).stdout.strip()


def test_a_revision_is_checked_out_once_into_a_worktree_named_for_its_commit():
    first = checkout("HEAD")
    second = checkout("HEAD")

    assert first == second == ROOT / ".cache" / "ab" / _git("rev-parse", "HEAD")
    assert _git("rev-parse", "HEAD", cwd=first) == _git("rev-parse", "HEAD")
    assert (first / "graph" / "__main__.py").exists()
