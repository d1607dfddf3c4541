"""Database commands: `python -m db migrate`, `python -m db seed demo|bench`."""

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
    args = parser.parse_args(argv)

    settings = DatabaseSettings.from_env()
    if args.command == "migrate":
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
