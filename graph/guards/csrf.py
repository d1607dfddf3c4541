"""Cross-site request forgery prevention, the rule of Apollo Server's `csrfPrevention`.

A browser sends a cross-origin request without a CORS preflight only when
it is "simple": no custom headers, and a Content-Type (if any) of
`text/plain`, `application/x-www-form-urlencoded` or `multipart/form-data`.
Such a request runs before the server's CORS policy is ever consulted, so
it is refused unless it shows that a preflight happened: a Content-Type
that is not one of those three (in practice `application/json`), or a
non-empty header no page can set without a preflight.  In practice a GET
must carry one of those headers; every JSON POST passes.

See https://www.apollographql.com/docs/apollo-server/security/cors#preventing-cross-site-request-forgery-csrf
and `preventCsrf.ts` in @apollo/server.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

__all__ = ["CSRF_MESSAGE", "PREFLIGHT_HEADERS", "is_preflighted"]

# Apollo's two (X-Apollo-Operation-Name is sent by Apollo iOS and Kotlin), the GraphQL-over-HTTP
# working group's proposal (graphql-over-http#303, used by GraphQL.NET and Netflix DGS), and
# Hot Chocolate's.
PREFLIGHT_HEADERS = (
    "x-apollo-operation-name",
    "apollo-require-preflight",
    "graphql-require-preflight",
    "graphql-preflight",
)

# The Content-Types of CORS-safelisted requests: https://fetch.spec.whatwg.org/#cors-safelisted-request-header
SIMPLE_CONTENT_TYPES = frozenset({"application/x-www-form-urlencoded", "multipart/form-data", "text/plain"})

CSRF_MESSAGE = (
    "This request has been blocked as a potential cross-site request forgery (CSRF). Send a Content-Type "
    "other than text/plain, application/x-www-form-urlencoded or multipart/form-data, or a non-empty "
    "X-Apollo-Operation-Name, Apollo-Require-Preflight or GraphQL-Require-Preflight header."
)

_TOKEN = r"[!#$%&'*+.^_`|~0-9A-Za-z-]+"  # noqa: S105 - RFC 9110's token, not a secret
_MIME_TYPE = re.compile(rf"[\t\n\r ]*({_TOKEN})/({_TOKEN})[\t\n\r ]*(?:;.*)?", re.DOTALL)


def _essence(content_type: str) -> str | None:
    """`type/subtype` of a Content-Type, lower-cased; None when a browser could not parse it either."""
    match = _MIME_TYPE.fullmatch(content_type)
    return f"{match[1]}/{match[2]}".lower() if match else None


def is_preflighted(headers: Mapping[str, str]) -> bool:
    """Whether a browser must have sent a CORS preflight before a request with these (case-insensitive) headers.

    >>> is_preflighted({"content-type": "application/json"})
    True
    >>> is_preflighted({"content-type": "text/plain; charset=utf-8"})
    False
    >>> is_preflighted({"apollo-require-preflight": "true"})
    True
    """
    content_type = headers.get("content-type")
    if content_type is not None:
        essence = _essence(content_type)
        # An unparseable Content-Type is not CORS-safelisted either, so it was preflighted.
        if essence is None or essence not in SIMPLE_CONTENT_TYPES:
            return True
    return any(headers.get(name) for name in PREFLIGHT_HEADERS)
