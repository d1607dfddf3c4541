"""Whether each peer returns the gateway's data: their answers compared once normalised (`tests.bench.peers.normalise`).

check_same_data("(a) …", flowgate_body, {"PostGraphile v4": v4_body})  # raises PeerDataMismatch, or returns None
"""

from __future__ import annotations

from typing import Any

from tests.bench.peers.normalise import Json, flowgate_page, postgraphile_page

__all__ = ["PeerDataMismatch", "check_same_data", "first_difference"]


class PeerDataMismatch(RuntimeError):
    """A peer's answer to a headline query differs from the gateway's, or an answer has errors or no flows."""


def first_difference(expected: Any, actual: Any, path: str = "$") -> str | None:
    """Where `actual` first differs from `expected`, as a phrase with a JSON path; None when they are equal.

    >>> first_difference({"flows": [{"name": "a"}]}, {"flows": [{"name": "b"}]})
    "$.flows[0].name is 'b', not 'a'"
    """
    if isinstance(expected, dict) and isinstance(actual, dict):
        for key in sorted(expected.keys() | actual.keys()):
            if key not in actual or key not in expected:
                return f"{path}.{key} is {'missing' if key not in actual else 'extra'}"
            found = first_difference(expected[key], actual[key], f"{path}.{key}")
            if found:
                return found
        return None
    if isinstance(expected, list) and isinstance(actual, list):
        if len(expected) != len(actual):
            return f"{path} has {len(actual)} items, not {len(expected)}"
        differences = (first_difference(e, a, f"{path}[{i}]") for i, (e, a) in enumerate(zip(expected, actual, strict=True)))
        return next((found for found in differences if found), None)
    return None if expected == actual else f"{path} is {str(actual)[:120]!r}, not {str(expected)[:120]!r}"


def check_same_data(scenario: str, flowgate: Json, peers: dict[str, Json]) -> None:
    """Raise `PeerDataMismatch` unless every answer in `peers` (label → body) normalises to the gateway's.

    The gateway's answer must hold at least one flow, so that an empty page
    cannot pass for equal data; an answer with `errors` fails.
    """
    if "errors" in flowgate:
        raise PeerDataMismatch(f"The gateway answered {scenario} with errors: {flowgate['errors']}.")
    expected = flowgate_page(flowgate)
    if not expected["flows"]:
        raise PeerDataMismatch(f"The gateway returned no flows for {scenario}, so there is nothing to compare: is the bench tenant seeded?")
    for label, body in peers.items():
        if "errors" in body:
            raise PeerDataMismatch(f"{label} answered {scenario} with errors: {body['errors']}.")
        difference = first_difference(expected, postgraphile_page(body))
        if difference:
            raise PeerDataMismatch(f"{label} does not return the gateway's data for {scenario}: {difference}.")
