"""Collected and compiled selection sets, kept across the requests that run one operation.

Documents are parsed once per query text (graph.execution.pipeline), so every request
running a query shares its AST nodes.  What field collection makes of them
depends on nothing else, unless a directive (`@skip`, `@include`) makes it
depend on the variables: then each request gets a plan of its own.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from graphql import BREAK, DirectiveNode, FragmentDefinitionNode, OperationDefinitionNode, Visitor, visit

from graph.execution.fast.filler import Filler, filler, fills
from graph.execution.fast.plan import Step
from graph.lru import LRU

__all__ = ["MAX_INLINED_DEPTH", "CompiledSelectionSet", "OperationPlan", "PlanCache"]

MAX_INLINED_DEPTH = 6


@dataclass(frozen=True)
class CompiledSelectionSet:
    """A selection set's steps, the response object every object starts from, and its filler.

    `depth` is how many levels of inlined fields the filler nests (0: leaves only).
    """

    steps: list[Step]
    template: dict[str, None]
    fill: Filler | None
    depth: int

    @classmethod
    def of(cls, steps: list[Step]) -> CompiledSelectionSet:
        depth = max((step.inlined.depth + 1 for step in steps if step.inlined is not None), default=0)
        return cls(steps, dict.fromkeys(step.name for step in steps), filler(steps), depth)

    def inlinable(self) -> bool:
        """Whether a field selecting this set can be inlined into its parent's filler: all its steps are filled, not too deep.

        Generated code nests a loop per inlined list, and Python compiles at most 20 nested blocks.
        """
        return all(fills(step) for step in self.steps) and self.depth < MAX_INLINED_DEPTH


@dataclass
class OperationPlan:
    """What one operation's execution has collected and compiled, by identity of what it came from.

    Every value keeps its key's object alive, so that an id is never reused while cached.
    """

    operation: OperationDefinitionNode
    subfields: dict[tuple[Any, ...], tuple[Any, Any]] = field(default_factory=dict)
    selection_sets: dict[int, tuple[Any, CompiledSelectionSet]] = field(default_factory=dict)


class _FindsDirectives(Visitor):
    found = False

    def enter_directive(self, node: DirectiveNode, *args: Any) -> Any:
        self.found = True
        return BREAK


def _has_directives(operation: OperationDefinitionNode, fragments: Mapping[str, FragmentDefinitionNode]) -> bool:
    finder = _FindsDirectives()
    for node in (operation, *fragments.values()):
        visit(node, finder)
        if finder.found:
            return True
    return False


class PlanCache:
    """The plans of the last `size` operations run."""

    def __init__(self, size: int = 1024) -> None:
        self._plans: LRU[int, OperationPlan] = LRU(size)

    def plan(self, operation: OperationDefinitionNode, fragments: Mapping[str, FragmentDefinitionNode]) -> OperationPlan:
        """The plan every request running `operation` shares; a new one for each request when it has directives."""
        plan = self._plans.get(id(operation))
        if plan is None:
            plan = OperationPlan(operation)
            if not _has_directives(operation, fragments):
                self._plans.put(id(operation), plan)
        return plan
