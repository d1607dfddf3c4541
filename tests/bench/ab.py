"""`make ab REV=<revision>`: this checkout's gateway against another revision's, measured in one run.

    python -m tests.bench.ab REV [--count 400]

The other revision is checked out, once, into `.cache/ab/<commit>` (a git
worktree; `git worktree remove` deletes one) and runs on this checkout's virtualenv, so it must need the same
dependencies.  Both gateways serve the bench tenant (seeded as `make bench`
does) from one database, one uvicorn worker each.  For each query the
requests take turns between them, one at a time, and each gateway's CPU
time is read from /proc before and after: a change in the machine's load
hits both alike, so the ratios new ÷ old hold where milliseconds do not.
It stops if the two gave different last answers to a query.  Two runs of the same code
differ by a few percent here: a change smaller than that needs more runs.
"""

from __future__ import annotations

import argparse
import asyncio
import subprocess
from pathlib import Path

from tests.bench.load import http_calls, take_turns
from tests.bench.queries import Scenario, detail, first_flow_id, graphql_request, listing, page
from tests.bench.servers import ROOT, cpu_seconds, free_port, running
from tests.bench.tenant import GATEWAY, seeded

WARMUP = 30


def _git(*arguments: str) -> str:
    """What git prints; exits with git's own message when it fails."""
    done = subprocess.run(["git", *arguments], cwd=ROOT, capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"git {' '.join(arguments)}: {done.stderr.strip()}")
    return done.stdout.strip()


def checkout(revision: str, under: Path = ROOT / ".cache" / "ab") -> Path:
    """A worktree of `revision` in `under`, named for its commit, made on first use."""
    commit = _git("rev-parse", "--verify", f"{revision}^{{commit}}")
    path = under / commit
    if not path.exists():
        _git("worktree", "add", "--detach", str(path), commit)
    return path


def _scenarios(flow_id: str) -> list[Scenario]:
    return [detail(flow_id, 10), detail(flow_id, 50), detail(flow_id, 500), page(50, 10), listing(100)]


async def _compare(ports: tuple[int, int], pids: tuple[int, int], token: str, count: int) -> None:
    print(f"\n{'query':44} {'p50 ms old/new':>16} {'ratio':>6} {'CPU ms/request old/new':>23} {'ratio':>6}")
    for scenario in _scenarios(await first_flow_id(ports[0], token)):
        request = graphql_request(token, scenario.graphql, scenario.variables)
        before = [cpu_seconds(pid) for pid in pids]
        async with http_calls([(port, request) for port in ports]) as calls:
            old, new = await take_turns(calls, count=count, warmup=WARMUP)
        cpu = [(cpu_seconds(pid) - start) * 1000 / (count + WARMUP) for pid, start in zip(pids, before, strict=True)]
        if old.body != new.body:
            raise RuntimeError(f"{scenario.name}: the two revisions answer differently")
        print(
            f"{scenario.name:44} {old.p50_ms:>7.2f}/{new.p50_ms:<8.2f} {new.p50_ms / old.p50_ms:>5.3f}"
            f" {cpu[0]:>11.2f}/{cpu[1]:<11.2f} {cpu[1] / cpu[0]:>5.3f}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m tests.bench.ab", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("revision", help="the revision to compare against (a commit, a branch, HEAD~1)")
    parser.add_argument("--count", type=int, default=400, help="timed requests per query and gateway")
    args = parser.parse_args()
    old_tree = checkout(args.revision)

    tenant = seeded()
    ports = (free_port(), free_port())
    with (
        running(GATEWAY, ports[0], {**tenant.environment, "PYTHONPATH": str(old_tree)}, cwd=old_tree) as old,
        running(GATEWAY, ports[1], {**tenant.environment, "PYTHONPATH": str(ROOT)}) as new,
    ):
        print(f"old: {args.revision} ({old_tree.name[:10]}), new: this checkout; one request at a time, taking turns")
        asyncio.run(_compare(ports, (old.pid, new.pid), tenant.token, args.count))


if __name__ == "__main__":
    main()
