"""Database commands: `python -m db migrate`, `seed demo|bench`, `grants --role NAME`."""

from __future__ import annotations

import argparse
import asyncio

from db.migrate import migrate
from db.settings import DatabaseSettings


def main(argv: list[str] | None = None) -> None:
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
    args = parser.parse_args(argv)

    settings = DatabaseSettings.from_env()
    if args.command == "grants":
        from db.grants import grants_sql

        print(grants_sql(schema=settings.schema, role=args.role, bypass_rls=args.bypass_rls), end="")
    elif args.command == "migrate":
        migrate(settings)
        print(f"Schema {settings.schema!r} is up to date.")
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
