"""A level's leaves, and the plain objects under it, filled by one generated function.

Per leaf and object, the generic path costs a loop turn, an attribute lookup
by name, a serializer call and a few checks; per nested object it adds a
path, a level and a placement.  For a page of records that is most of the
executor's time.  As dataclasses and namedtuples do, the plan writes Python
source once per selection set instead: one loop over the objects, attributes
read by name, built-in scalars checked inline, and each *inlined* field (a
plain object or list of objects whose own selection set is all leaves and
inlined fields: a connection's edges and page info, say) built in place by
nested code.  It covers the common case only; an object it cannot complete
(a null in a non-null field or in a list, a value the shortcut does not
take, an exception, anywhere under the object) is left whole to the
generic path, which reports errors exactly as graphql-core does.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from graphql import Undefined

from graph.execution.fast.plan import LEAF, Step, object_list_item, unwrap

__all__ = ["Filler", "filler", "fills"]

Filler = Callable[[Sequence[Any], list[dict[str, Any]]], list[int]]
"""`(sources, results) -> indexes of the sources left to the generic path`; fills `results[i]` for `sources[i]`."""


def fills(step: Step) -> bool:
    """Whether the filler completes `step` (a leaf or an inlined field); the generic path then only sees the objects it leaves."""
    return step.field.kind == LEAF or step.inlined is not None


class _Source:
    """The values the generated source refers to, each bound to a name of its own."""

    def __init__(self) -> None:
        self.namespace: dict[str, Any] = {"SLOW": _Slow(), "Undefined": Undefined}

    def bind(self, value: Any, prefix: str) -> str:
        name = f"{prefix}_{len(self.namespace)}"
        self.namespace[name] = value
        return name


def _indented(lines: list[str]) -> list[str]:
    return ["    " + line for line in lines]


def _read(step: Step, depth: int, out: _Source) -> str:
    """The expression of the field's value on the object `s<depth>`."""
    field = step.field
    if field.method is not None:
        return f"{out.bind(field.method, 'method')}(s{depth})"
    if not field.attribute.isidentifier():  # it goes into generated source: a Python name, nothing else
        raise ValueError(f"Not a Python attribute name: {field.attribute!r}.")
    return f"s{depth}.{field.attribute}"


def _store_leaf(step: Step, depth: int, out: _Source) -> list[str]:
    """Statements storing the leaf value `v` into `r<depth>`; `raise SLOW` when graphql-core must decide."""
    field = step.field
    if field.passes is not None:
        check = [f"if not ({field.passes}): raise SLOW"]
    else:
        check = [f"v = {out.bind(field.serialize, 'serialize')}(v)", "if v is None or v is Undefined: raise SLOW"]
    return [*check, f"r{depth}[{step.name!r}] = v"]


def _store_inlined(step: Step, depth: int, out: _Source) -> list[str]:
    """Statements completing the object or list of objects `v` into `r<depth>`, their fields by nested code."""
    inlined = step.inlined
    assert inlined is not None  # noqa: S101 - only inlined steps come here
    child = depth + 1
    template = out.bind(inlined.template, "template")
    body = _fill_statements(inlined.steps, child, out)
    if object_list_item(unwrap(step.field_def.type)[0])[0] is None:  # one object
        return [f"s{child} = v", f"r{child} = {template}.copy()", *body, f"r{depth}[{step.name!r}] = r{child}"]
    return [
        "if type(v) is not list: raise SLOW",
        f"items{depth} = []",
        f"for s{child} in v:",
        f"    if s{child} is None: raise SLOW",
        f"    r{child} = {template}.copy()",
        *_indented(body),
        f"    items{depth}.append(r{child})",
        f"r{depth}[{step.name!r}] = items{depth}",
    ]


def _fill_statements(steps: Sequence[Step], depth: int, out: _Source) -> list[str]:
    """Statements filling `r<depth>` from `s<depth>` for the steps the filler completes; a null stays as the template has it."""
    lines = []
    for step in steps:
        if not fills(step):
            continue
        store = _store_leaf(step, depth, out) if step.field.kind == LEAF else _store_inlined(step, depth, out)
        if step.field.non_null:
            lines += [f"v = {_read(step, depth, out)}", "if v is None: raise SLOW", *store]
        else:
            lines += [f"v = {_read(step, depth, out)}", "if v is not None:", *_indented(store)]
    return lines


def filler(steps: Sequence[Step]) -> Filler | None:
    """The generated filler of the steps among `steps` it completes (`fills`); None when there are none."""
    filled = [step for step in steps if fills(step)]
    if not filled:
        return None
    out = _Source()
    source = "\n".join(
        [
            "def fill(sources, results):",
            "    slow = []",
            "    for index, s0 in enumerate(sources):",
            "        r0 = results[index]",
            "        try:",
            *(" " * 12 + line for line in _fill_statements(filled, 0, out)),
            "        except Exception:",
            "            slow.append(index)",
            "    return slow",
        ]
    )
    exec(compile(source, f"<fill of {', '.join(step.name for step in filled)}>", "exec"), out.namespace)  # noqa: S102
    fill: Filler = out.namespace["fill"]
    return fill


class _Slow(Exception):
    """Raised by generated code to leave an object to the generic path."""
