"""Claim names as paths into nested claims: `JWT_CLIENT_ACCOUNT_CLAIM` and `JWT_ENGAGEMENT_CLAIM`.

A name is looked up level by level.  At each level the whole rest of the
name is tried as a key first; otherwise the longest part of it up to a dot
that is a key is taken, and the rest is looked up inside its value.  Keys
may therefore hold dots themselves, as namespaces that are URLs do:

    claim_at({"client_account_id": "a"}, "client_account_id")                        -> "a"
    claim_at({"tenant": {"client_account_id": "a"}}, "tenant.client_account_id")      -> "a"
    claim_at({"https://hasura.io/jwt/claims": {"x-client-account-id": "a"}},
             "https://hasura.io/jwt/claims.x-client-account-id")                      -> "a"

A flat claim whose name has dots is found as it always was: the whole name
is tried first.  There is no backtracking: once the longest key is taken,
the rest must be found inside it.
"""

from __future__ import annotations

from collections.abc import Mapping

__all__ = ["claim_at"]


def claim_at(claims: Mapping[str, object], path: str) -> object:
    """The value `path` names in `claims` (see the module docstring); KeyError when there is none."""
    level: object = claims
    rest = path
    while isinstance(level, Mapping):
        if rest in level:
            return level[rest]
        dot = rest.rfind(".")
        while dot > 0 and rest[:dot] not in level:
            dot = rest.rfind(".", 0, dot)
        if dot <= 0:
            break
        level, rest = level[rest[:dot]], rest[dot + 1 :]
    raise KeyError(path)
