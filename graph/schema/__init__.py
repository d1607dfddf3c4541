"""What can be asked: the strawberry types, their scalars and connections, and how batched fields are declared.

The schema object itself is `graph.schema.root.schema`.
"""
