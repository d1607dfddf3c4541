"""Limits on the size of a query: depth, aliases and possible nodes.

Depth and aliases are checked by a validation rule; the node limit depends
on the request's variables, so it is checked before execution.  All three
measure the operation with fragments expanded where they are spread, so
what hides in fragments counts in full; each fragment is measured once
(linear time even for fragments spread many times) and a fragment cycle is
never followed (the spec's NoFragmentCycles rule reports it).  Introspection
fields are not measured: GraphiQL's own introspection query is deep by
nature, and introspection is switched off as a whole in production.
"""

from graph.guards.limits.nodes import UNPAGED_LIST_SIZE, NodeCount, NodeLimit, count_nodes
from graph.guards.limits.size import measure_operation, query_limit_rule
from graph.guards.limits.walk import fold_operation

__all__ = [
    "UNPAGED_LIST_SIZE",
    "NodeCount",
    "NodeLimit",
    "count_nodes",
    "fold_operation",
    "measure_operation",
    "query_limit_rule",
]
