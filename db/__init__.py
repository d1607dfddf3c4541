"""Flowgate's data layer: tables, migrations, the engine, queries and seed data.

Nothing in this package knows about GraphQL.
"""
