"""Read-only queries of the gateway, one module per table.

Every function takes the connection first and the tenant as a keyword, filters
every table it touches by that tenant, and returns rows (or plain values).
"""
