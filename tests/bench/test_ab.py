"""`make ab` runs the other revision from a worktree of its own, made once."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.bench.ab import checkout
from tests.bench.servers import ROOT


def _git(*arguments: str, cwd: Path = ROOT) -> str:
    return subprocess.run(["git", *arguments], cwd=cwd, capture_output=True, text=True, check=True).stdout.strip()


@pytest.fixture
def worktrees(tmp_path: Path) -> Iterator[Path]:
    yield tmp_path
    for path in tmp_path.iterdir():
        _git("worktree", "remove", "--force", str(path))


def test_a_revision_is_checked_out_once_into_a_worktree_named_for_its_commit(worktrees):
    first = checkout("HEAD", under=worktrees)
    second = checkout("HEAD", under=worktrees)

    assert first == second == worktrees / _git("rev-parse", "HEAD")
    assert _git("rev-parse", "HEAD", cwd=first) == _git("rev-parse", "HEAD")
    assert (first / "graph" / "__main__.py").exists()


def test_a_revision_git_does_not_know_stops_with_gits_message(worktrees):
    with pytest.raises(SystemExit, match="rev-parse"):
        checkout("no-such-revision", under=worktrees)
