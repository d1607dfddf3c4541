"""What a DBA runs so that a role can serve Flowgate: `python -m db grants --role NAME`.

The platform turns row-level security on for its flow tables with policies
for its own roles only, so any other role reads zero rows, without an error.
Flowgate filters every statement by tenant itself, so its role needs to see
the rows of every tenant: either a `FOR SELECT` policy per table that lets the
role read them all (the default: nothing else about the role changes), or
`BYPASSRLS` (`--bypass-rls`; one statement, but a superuser must run it and it
covers every table the role can read, present and future).

The output only reads, grants and creates policies; it is idempotent, runs
in one transaction, and goes straight into `psql`.
"""

from __future__ import annotations

import re

from db.tables import metadata

__all__ = ["FLOWGATE_POLICY", "READ_TABLES", "grants_sql"]

READ_TABLES = tuple(sorted(table.name for table in metadata.sorted_tables))
"""Every table Flowgate reads (all of `db.tables`)."""

FLOWGATE_POLICY = "flowgate_read"
"""The name of the `FOR SELECT` policy `grants_sql` creates on each table."""

_ROLE_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


def grants_sql(*, schema: str, role: str, bypass_rls: bool = False) -> str:
    """The SQL granting `role` read access to Flowgate's tables in `schema`, and an answer to row-level security.

    Policies are created on every table, RLS on or not: a table whose RLS is
    turned on later then still serves the role.
    """
    if not _ROLE_NAME.match(role):
        raise ValueError(f"--role must be a lower-case SQL identifier, not {role!r}.")
    tables = ", ".join(f"{schema}.{name}" for name in READ_TABLES)
    lines = [
        f"-- Flowgate's read access for role {role} on schema {schema}.",
        "BEGIN;",
        f"GRANT USAGE ON SCHEMA {schema} TO {role};",
        f"GRANT SELECT ON {tables} TO {role};",
    ]
    if bypass_rls:
        lines.append(f"ALTER ROLE {role} BYPASSRLS;  -- needs a superuser")
    else:
        for name in READ_TABLES:
            lines.append(f"DROP POLICY IF EXISTS {FLOWGATE_POLICY} ON {schema}.{name};")
            lines.append(f"CREATE POLICY {FLOWGATE_POLICY} ON {schema}.{name} FOR SELECT TO {role} USING (true);")
    lines.append("COMMIT;")
    return "\n".join(lines) + "\n"
