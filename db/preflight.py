"""What the gateway's role can see of its schema: whether it can serve, and what it serves worse without.

`inspect_schema` asks the catalogs, as the role itself, for every table of
`db.tables`: that it exists, that the role may SELECT from it, that it has
every column the gateway reads, and that row-level security does not hide
its rows (RLS on, no `FOR SELECT` policy for the role, no BYPASSRLS, not the
owner: PostgreSQL then returns zero rows without an error).  Each of these
is a *problem*: the gateway cannot serve.  Missing NOTIFY triggers
(subscriptions) and missing gateway indexes (speed) are *warnings*.  Every
message names the table, column, trigger or index, and the command that
fixes it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from db.indexes import missing_indexes
from db.tables import metadata
from db.triggers import missing_triggers

__all__ = ["SchemaReport", "inspect_schema"]

_TABLES = {table.name: [column.name for column in table.columns] for table in metadata.sorted_tables}

_VISIBILITY = """
WITH me AS (SELECT current_user AS role, rolsuper OR rolbypassrls AS bypasses FROM pg_roles WHERE rolname = current_user)
SELECT wanted.name,
       me.role,
       c.oid IS NOT NULL AS present,
       c.oid IS NOT NULL AND has_table_privilege(c.oid, 'SELECT') AS readable,
       c.oid IS NOT NULL AND c.relrowsecurity AND NOT me.bypasses
           AND NOT (pg_has_role(c.relowner, 'USAGE') AND NOT c.relforcerowsecurity)
           AND NOT EXISTS (
               SELECT FROM pg_policy AS p
               WHERE p.polrelid = c.oid AND p.polcmd IN ('r', '*') AND p.polpermissive
                 AND (0 = ANY (p.polroles) OR EXISTS (SELECT FROM unnest(p.polroles) AS r(oid) WHERE pg_has_role(r.oid, 'USAGE')))
           ) AS rows_hidden,
       ARRAY(SELECT a.attname::text FROM pg_attribute AS a WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped)
           AS columns
FROM unnest($2::text[]) AS wanted(name)
CROSS JOIN me
LEFT JOIN pg_namespace AS n ON n.nspname = $1
LEFT JOIN pg_class AS c ON c.relnamespace = n.oid AND c.relname = wanted.name AND c.relkind IN ('r', 'p', 'v', 'm', 'f')
ORDER BY wanted.name
"""


@dataclass(frozen=True)
class SchemaReport:
    """`problems` keep the gateway from serving; `warnings` do not.  Each is one sentence."""

    problems: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()

    @property
    def can_serve(self) -> bool:
        return not self.problems


async def inspect_schema(connection: Any, schema: str) -> SchemaReport:
    """The report on `schema` for the role `connection` (asyncpg) logged in as; three catalog statements."""
    problems: list[str] = []
    for row in await connection.fetch(_VISIBILITY, schema, list(_TABLES)):
        name, role = row["name"], row["role"]
        grants = f"`python -m db grants --role {role}` prints the SQL"
        if not row["present"]:
            problems.append(f"Table {schema}.{name} is missing.")
        elif not row["readable"]:
            problems.append(f"Role {role} may not SELECT from {schema}.{name}: {grants}.")
        elif row["rows_hidden"]:
            problems.append(
                f"Row-level security on {schema}.{name} hides every row from role {role} (no FOR SELECT policy for it, no BYPASSRLS): {grants}."
            )
        if row["present"]:
            problems += [f"Column {schema}.{name}.{column} is missing." for column in _TABLES[name] if column not in row["columns"]]
    warnings = [
        f"Trigger {trigger} is missing, so subscriptions get no pushes: `python -m db triggers` prints the SQL."
        for trigger in await missing_triggers(connection, schema)
    ]
    warnings += [
        f"Index ({index.key}) on {schema}.{index.table} is missing, which slows {index.serves}: `python -m db indexes` prints the SQL."
        for index in await missing_indexes(connection, schema)
    ]
    return SchemaReport(tuple(problems), tuple(warnings))
