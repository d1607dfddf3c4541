"""A faster executor for Flowgate's schema: the same responses as graphql-core's, with less work per object.

graphql-core completes a response depth first, one field of one object at a
time.  This executor completes it *level by level*: all objects of one type
and selection set at one depth form a level, and each field runs once for
the whole level.

    masterFlows(first: 3) { nodes { name discovery { status dataImport { name } } } }

    level 1  MasterFlow × 3     name: 3 attribute reads (generated code, `leaves`)
                                discovery: one batched call for all 3 (`graph.schema.batching`) ─┐
    level 2  DiscoveryFlow × 3  status: 3 reads                                    ◄┘
                                dataImport: one batched call for all 3 ─┐
    level 3  DataImport × 3     name: 3 reads                          ◄┘

So a page of 100 flows costs one resolver call per batched field, not 100,
and one DataLoader batch (one SQL statement) per level.  Each selection set
is compiled once per operation (`plans`): which fields are plain leaves,
plain objects, batched, or left to graphql-core's own `execute_field`.

Errors and nulls propagate exactly as graphql-core propagates them (the
differential tests in tests/graph/execution/ compare data, errors, paths and
messages).  A failed nullable field is null with its error; a failed
non-null field nulls its nearest nullable ancestor:

    discovery { dataImport { rawRecords(first: 0) { ... } } }   # rawRecords: Connection!
                 ▲             └─ BAD_USER_INPUT, non-null: propagates up
                 └─ dataImport: DataImport (nullable) becomes null, with the error

    children: [Node!]  with items [ok, fails, ok]
      └─ the list becomes null at the first failed item, as in graphql-core's
         item-by-item completion; what the items after it recorded is withdrawn,
         and an object's fields after one that failed it are not resolved.

Everything it needs from graphql-core's and strawberry's internals goes
through `graph.execution.compat`; `selfcheck` decides at start-up whether it runs.
Otherwise, and with `FAST_EXECUTOR=off`, graphql-core's stock executor serves.
"""

from graph.execution.fast.executor import FastExecutionContext

__all__ = ["FastExecutionContext"]
