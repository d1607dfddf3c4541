"""A faster executor for Flowgate's schema; see `executor` for how it works."""

from graph.fast_execution.executor import FastExecutionContext
from graph.fast_execution.plan import BatchResolver, batched

__all__ = ["BatchResolver", "FastExecutionContext", "batched"]
