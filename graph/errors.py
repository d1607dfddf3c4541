"""Client-facing errors, their codes, and masking of everything else.

A resolver raises `ClientError` (or a subclass) for a problem the client can
fix; its message is a whole sentence that never names an internal ID.  Any
other exception is logged with the request id and reaches the client as
`INTERNAL_SERVER_ERROR` (or `SERVICE_UNAVAILABLE` when the database is out
of reach), with no message detail.
"""

from __future__ import annotations

import logging
from typing import Any

from asyncpg.exceptions import (
    InsufficientResourcesError,
    InternalClientError,
    OperatorInterventionError,
    PostgresConnectionError,
)
from graphql import GraphQLError, GraphQLSyntaxError

__all__ = [
    "BadUserInput",
    "ClientError",
    "Forbidden",
    "IdentityProviderUnavailable",
    "RequestTimeout",
    "SubscriptionsUnavailable",
    "Unauthenticated",
    "format_error",
    "is_database_unavailable",
    "validation_error",
]

log = logging.getLogger("flowgate.errors")


class ClientError(Exception):
    """An error whose message is safe to show and whose code tells its kind."""

    code = "BAD_USER_INPUT"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class BadUserInput(ClientError):
    code = "BAD_USER_INPUT"


class Unauthenticated(ClientError):
    code = "UNAUTHENTICATED"


class Forbidden(ClientError):
    """A valid login without access to the tenant it asked for."""

    code = "FORBIDDEN"


class IdentityProviderUnavailable(ClientError):
    """The identity provider's keys cannot be fetched, so a token cannot be checked either way (HTTP 503).

    Not `UNAUTHENTICATED`: the token may well be valid, and a client told to
    log in again would only ask the identity provider for another token that
    cannot be checked either.
    """

    code = "SERVICE_UNAVAILABLE"


class SubscriptionsUnavailable(ClientError):
    """The database lacks the NOTIFY triggers, so a subscription would never push."""

    code = "SUBSCRIPTIONS_UNAVAILABLE"


class RequestTimeout(ClientError):
    """An operation stopped at REQUEST_TIMEOUT_MS."""

    code = "SERVICE_UNAVAILABLE"


def validation_error(message: str, code: str, node: Any = None) -> GraphQLError:
    """A validation-phase error carrying its own code (limits use QUERY_TOO_COMPLEX)."""
    return GraphQLError(message, node, extensions={"code": code})


_UNAVAILABLE = (
    PostgresConnectionError,  # SQLSTATE class 08, and a connection lost mid-query
    OperatorInterventionError,  # class 57: shutting down, starting up, terminated, the statement timeout
    InsufficientResourcesError,  # class 53: too many connections, out of memory or disk
    InternalClientError,  # asyncpg's protocol state, when the server ends a pooled connection as it is taken
    TimeoutError,  # no pooled connection within DB_POOL_TIMEOUT_MS, or none opened within DB_CONNECT_TIMEOUT_MS
    OSError,  # refused or reset connections
)


def is_database_unavailable(error: BaseException) -> bool:
    """Whether `error` means the database is out of reach (down, refusing, timing out), not a bug."""
    return isinstance(error, _UNAVAILABLE)


def format_error(error: GraphQLError, *, phase: str, request_id: str) -> dict[str, Any]:
    """The client's view of `error`, raised during `phase` ('parse', 'validate', 'execute')."""
    original = error.original_error
    formatted: dict[str, Any]
    if isinstance(original, ClientError):
        formatted = {"message": original.message, "extensions": {"code": original.code}}
    elif isinstance(original, GraphQLError):
        # graphql-core wraps its own errors (variable coercion) in another GraphQLError.
        formatted = {"message": error.message, "extensions": {"code": (original.extensions or {}).get("code", "BAD_USER_INPUT")}}
    elif original is not None and phase == "execute":
        # Only execution runs code that can fail unexpectedly.  In validation an original error is
        # a scalar refusing a literal (`flowId: "x"`): the client's mistake, worded by the scalar.
        if is_database_unavailable(original):
            code, message = "SERVICE_UNAVAILABLE", "The database is unavailable; try again shortly."
            # One line, no traceback: an outage fails every request alike, and would flood the log.
            log.warning("request %s: %s (%s: %s)", request_id, code, type(original).__name__, original)
        else:
            code, message = "INTERNAL_SERVER_ERROR", "Internal server error."
            log.error("request %s: %s", request_id, code, exc_info=original)
        formatted = {"message": message, "extensions": {"code": code, "requestId": request_id}}
    else:
        code = (error.extensions or {}).get("code") or {
            "parse": "GRAPHQL_PARSE_FAILED",
            "validate": "GRAPHQL_VALIDATION_FAILED",
        }.get(phase, "BAD_USER_INPUT")
        if isinstance(error, GraphQLSyntaxError):
            code = "GRAPHQL_PARSE_FAILED"
        formatted = {"message": error.message, "extensions": {"code": code}}
    if error.locations:
        formatted["locations"] = [{"line": loc.line, "column": loc.column} for loc in error.locations]
    if error.path:
        formatted["path"] = error.path
    return formatted
