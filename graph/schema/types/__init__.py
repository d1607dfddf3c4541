"""The schema's object types, one module per domain."""
