"""Database commands: `python -m db migrate`, `seed demo|bench`, `grants --role NAME`, `indexes`, `triggers`."""

from __future__ import annotations

import argparse
import asyncio

from db.embedded import EmbeddedUnavailable
from db.migrate import migrate
from db.settings import DatabaseSettings, SettingsError


async def _index_recommendations(settings: DatabaseSettings) -> list[str]:
    import asyncpg

    from db.engine import database_url, plain_url
    from db.indexes import recommendations

    connection = await asyncpg.connect(plain_url(database_url(settings)))
    try:
        return await recommendations(connection, settings.schema_name)
    finally:
        await connection.close()


def main(argv: list[str] | None = None) -> None:
    try:
        _run(argv)
    except (SettingsError, EmbeddedUnavailable) as error:
        raise SystemExit(f"python -m db: {error}") from None


def _run(argv: list[str] | None) -> None:
    parser = argparse.ArgumentParser(prog="python -m db", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("migrate", help="create or upgrade the tables in DB_SCHEMA")
    seed = commands.add_parser("seed", help="load a dataset (idempotent)")
    datasets = seed.add_subparsers(dest="dataset", required=True)
    datasets.add_parser("demo", help="the demo tenants, flows and records, with every ID trap")
    bench = datasets.add_parser("bench", help="a benchmark tenant of N flows with M records each")
    bench.add_argument("--flows", type=int, default=200)
    bench.add_argument("--records", type=int, default=500)
    grants = commands.add_parser("grants", help="print the SQL that lets a role read what Flowgate needs (for psql)")
    grants.add_argument("--role", required=True, help="the role Flowgate connects as")
    grants.add_argument("--bypass-rls", action="store_true", help="BYPASSRLS instead of a FOR SELECT policy per table")
    commands.add_parser("indexes", help="print CREATE INDEX CONCURRENTLY for the gateway's indexes DB_SCHEMA lacks (for psql)")
    commands.add_parser("triggers", help="print the SQL that installs the flow change triggers subscriptions need (for psql)")
    args = parser.parse_args(argv)

    settings = DatabaseSettings.from_env()
    if args.command == "indexes":
        print("\n".join(asyncio.run(_index_recommendations(settings))))
    elif args.command == "triggers":
        from db.triggers import triggers_sql

        print(triggers_sql(schema=settings.schema_name), end="")
    elif args.command == "grants":
        from db.grants import grants_sql

        print(grants_sql(schema=settings.schema_name, role=args.role, bypass_rls=args.bypass_rls), end="")
    elif args.command == "migrate":
        migrate(settings)
        print(f"Schema {settings.schema_name!r} is up to date.")
    elif args.dataset == "demo":
        from db.seed.demo import seed_demo

        summary = asyncio.run(seed_demo(settings))
        print(summary)
    else:
        from db.seed.bench import seed_bench

        summary = asyncio.run(seed_bench(settings, flows=args.flows, records=args.records))
        print(summary)


if __name__ == "__main__":
    main()
