"""The leaf fields of a selection set, filled for a whole level by one generated function.

Per leaf and object, the generic path costs a loop turn, an attribute lookup
by name, a serializer call and a few checks; for a page of records that is
most of the executor's time.  As dataclasses and namedtuples do, the plan
writes Python source once per selection set instead: one loop over the
objects, attributes read by name, built-in scalars checked inline.  It covers
the common case only; an object it cannot complete (a null in a non-null
field, a value the shortcut does not take, an exception) is left to the
generic path, which reports errors exactly as graphql-core does.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from graphql import Undefined

from graph.execution.fast.plan import LEAF, Step

__all__ = ["LeafFiller", "leaf_filler"]

LeafFiller = Callable[[Sequence[Any], list[dict[str, Any]]], list[int]]
"""`(sources, results) -> indexes of the sources left to the generic path`; fills `results[i]` for `sources[i]`."""


def _statements(number: int, step: Step) -> list[str]:
    """The statements filling one leaf; `raise SLOW` hands the object to the generic path."""
    field = step.field
    if not field.attribute.isidentifier():  # it goes into generated source: a Python name, nothing else
        raise ValueError(f"Not a Python attribute name: {field.attribute!r}.")
    read = f"method_{number}(source)" if field.method is not None else f"source.{field.attribute}"
    if field.passes is not None:
        check = [f"if not ({field.passes}): raise SLOW"]
    else:
        check = [f"v = serialize_{number}(v)", "if v is None or v is Undefined: raise SLOW"]
    store = [*check, f"result[{step.name!r}] = v"]
    if field.non_null:
        return [f"v = {read}", "if v is None: raise SLOW", *store]
    # A null stays as the result's template has it.
    return [f"v = {read}", "if v is not None:", *("    " + line for line in store)]


def leaf_filler(steps: Sequence[Step]) -> LeafFiller | None:
    """The generated filler of the LEAF steps among `steps`; None when there are none."""
    leaves = [step for step in steps if step.field.kind == LEAF]
    if not leaves:
        return None
    body = [line for number, step in enumerate(leaves) for line in _statements(number, step)]
    source = "\n".join(
        [
            "def fill(sources, results):",
            "    slow = []",
            "    for index, source in enumerate(sources):",
            "        result = results[index]",
            "        try:",
            *(" " * 12 + line for line in body),
            "        except Exception:",
            "            slow.append(index)",
            "    return slow",
        ]
    )
    namespace: dict[str, Any] = {"SLOW": _Slow(), "Undefined": Undefined}
    namespace.update((f"serialize_{number}", step.field.serialize) for number, step in enumerate(leaves))
    namespace.update((f"method_{number}", step.field.method) for number, step in enumerate(leaves))
    exec(compile(source, f"<leaves of {', '.join(step.name for step in leaves)}>", "exec"), namespace)  # noqa: S102
    fill: LeafFiller = namespace["fill"]
    return fill


class _Slow(Exception):
    """Raised by generated code to leave an object to the generic path."""
