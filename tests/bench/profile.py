"""`make profile`: where the gateway's CPU goes for one of the bench's queries, sampled by py-spy.

    python -m tests.bench.profile [--query a|b|c] [--records N] [--flows N] [--seconds 10]

It seeds the bench tenant (as `make bench` does), serves the gateway with one
worker, keeps it busy with the query at concurrency 16, and samples it with
py-spy for `--seconds`.  It prints the functions with the most samples of
their own, and the gateway's functions with the most samples of their own
and their callees', as shares of all samples.  The collapsed stacks go to
`.bench/profile-<query>.txt`, for speedscope.app or flamegraph.pl.  py-spy
reads another process's memory, so it needs root or CAP_SYS_PTRACE.
"""

from __future__ import annotations

import argparse
import asyncio
import re
import subprocess
import sys
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from tests.bench.load import measure_throughput
from tests.bench.queries import Scenario, detail, first_flow_id, graphql_request, listing, page
from tests.bench.servers import ROOT, free_port, running
from tests.bench.tenant import GATEWAY, seeded

PY_SPY = Path(sys.executable).parent / "py-spy"
_LOCATION = re.compile(r" \((?:.*/site-packages/|.*/lib/python3\.\d+/|" + re.escape(str(ROOT)) + "/)?(?P<path>[^:()]*):\\d+\\)$")


@dataclass
class Profile:
    """Samples by function: `own` where the function itself was running, `inclusive` where it was on the stack."""

    total: int
    own: Counter[str]
    inclusive: Counter[str]


def _function(frame: str) -> str:
    """`name (path)`, the path relative to the project or to site-packages, without the line."""
    return _LOCATION.sub(lambda match: f" ({match['path']})", frame)


def summarize(collapsed: Iterable[str]) -> Profile:
    """The profile of py-spy's collapsed stacks (`frame;frame;...;frame count`, the root first).

    A function that recurses counts once per sample in `inclusive`.
    """
    profile = Profile(0, Counter(), Counter())
    for line in collapsed:
        stack, _, count = line.rstrip().rpartition(" ")
        if not stack:
            continue
        frames = [_function(frame) for frame in stack.split(";")]
        samples = int(count)
        profile.total += samples
        profile.own[frames[-1]] += samples
        for function in set(frames):
            profile.inclusive[function] += samples
    return profile


def _print(profile: Profile, top: int) -> None:
    share = lambda samples: f"{100 * samples / profile.total:5.1f}%"  # noqa: E731
    print(f"\n{profile.total} samples. Functions by samples of their own:")
    for function, samples in profile.own.most_common(top):
        print(f"  {share(samples)}  {function}")
    print("\nThe gateway's functions (graph/, db/; not its entry point) by samples of their own and their callees':")
    ours = [(function, samples) for function, samples in profile.inclusive.most_common() if re.search(r"\((graph/(?!__main__)|db/)", function)]
    for function, samples in ours[:top]:
        print(f"  {share(samples)}  {function}")


def _scenario(query: str, flow_id: str, args: argparse.Namespace) -> Scenario:
    """The bench's query `query`, of the bench's sizes unless `--records` or `--flows` say otherwise."""
    if query == "a":
        return detail(flow_id, args.records or 50)
    if query == "b":
        return page(args.flows or 50, args.records or 10)
    return listing(args.flows or 100)


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m tests.bench.profile", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--query", choices="abc", default="a", help="(a) a flow's detail, (b) a page of flows with records, (c) a page of flows")
    parser.add_argument("--records", type=int, help="records per page, for (a) and (b): 50 and 10 as in the bench")
    parser.add_argument("--flows", type=int, help="flows per page, for (b) and (c): 50 and 100 as in the bench")
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--top", type=int, default=25)
    args = parser.parse_args()
    if not PY_SPY.exists():
        sys.exit(f"py-spy is not installed at {PY_SPY}: run `make profile`, which installs it.")

    tenant = seeded()
    port = free_port()
    out = ROOT / ".bench" / f"profile-{args.query}.txt"
    out.parent.mkdir(exist_ok=True)
    with running(GATEWAY, port, tenant.environment) as gateway:
        scenario = _scenario(args.query, asyncio.run(first_flow_id(port, tenant.token)), args)
        request = graphql_request(tenant.token, scenario.graphql, scenario.variables)
        asyncio.run(measure_throughput(port, request, concurrency=16, seconds=2))  # warm up: plans, caches, connections
        sampling = ["--function", "--format", "raw", "--rate", "500", "--duration", str(args.seconds), "--output", str(out)]
        sampler = subprocess.Popen([PY_SPY, "record", "--pid", str(gateway.pid), *sampling])
        served = asyncio.run(measure_throughput(port, request, concurrency=16, seconds=args.seconds))
        if sampler.wait() != 0:
            sys.exit("py-spy failed (it needs root or CAP_SYS_PTRACE).")
    print(f"\n{scenario.name} at concurrency 16: {served:.0f} requests/s while sampled (py-spy slows the gateway down).")
    _print(summarize(out.read_text().splitlines()), args.top)
    print(f"\nCollapsed stacks: {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
