"""Gateway commands: `serve`, `token`, `schema`, `manifest` and `assets` (see README)."""

from __future__ import annotations

import argparse
import math
import os
import sys
from pathlib import Path
from uuid import UUID

from db.embedded import EmbeddedUnavailable
from db.engine import database_url
from db.tenancy import Tenant
from graph.settings import Settings, SettingsError


def print_demo_banner(settings: Settings) -> str:
    """Tell a newcomer where GraphiQL is and which token to paste; returns the token."""
    from db.seed.demo import DEMO_FLOW_ID, DEMO_TENANT
    from graph.guards.auth import issue_token

    token = issue_token(settings, DEMO_TENANT)
    print(
        f"\nFlowgate serves GraphiQL at http://{settings.host}:{settings.port}/graphql\n"
        f"Demo tenant: client account {DEMO_TENANT.client_account_id}, engagement {DEMO_TENANT.engagement_id}\n"
        "Paste into GraphiQL's Headers pane:\n"
        f'  {{"Authorization": "Bearer {token}"}}\n'
        f'Then try: {{ masterFlow(flowId: "{DEMO_FLOW_ID}") {{ name status discovery {{ dataImport {{ name }} }} }} }}\n',
        flush=True,
    )
    return token


def serve(settings: Settings, workers: int) -> None:
    """Serve `workers` processes until SIGTERM, then shut down gracefully.

    Shutdown closes open WebSockets with 1012 (service restart) and waits for
    in-flight requests, which end within REQUEST_TIMEOUT_MS; whatever still
    runs a second later is cancelled.  Then each worker closes its pool.
    """
    import uvicorn

    from graph.observability.logs import configure_logging
    from graph.observability.metrics import shared_by_workers

    configure_logging(settings)  # the supervisor's; each worker's app configures its own the same way
    with shared_by_workers(workers):
        uvicorn.run(
            "graph.asgi:app",
            host=settings.host,
            port=settings.port,
            workers=workers,
            loop="uvloop",
            http="httptools",
            access_log=False,
            log_config=None,  # uvicorn's records go through `graph.observability.logs`
            log_level=settings.log_level.lower(),
            timeout_graceful_shutdown=math.ceil(settings.request_timeout_ms / 1000) + 1,
        )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m graph", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    serve_parser = commands.add_parser("serve", help="serve GraphQL on HOST:PORT")
    serve_parser.add_argument("--workers", type=int, default=None, help="worker processes (default: WEB_CONCURRENCY or 1)")
    serve_parser.add_argument("--demo", action="store_true", help="print the GraphiQL URL and a demo tenant's token first")
    token_parser = commands.add_parser("token", help="print a bearer token for a tenant (last line)")
    token_parser.add_argument("--client-account-id", type=UUID, required=True)
    token_parser.add_argument("--engagement-id", type=UUID, required=True)
    token_parser.add_argument("--ttl", type=int, default=86_400, help="seconds until the token expires")
    commands.add_parser("schema", help="print the schema as SDL")
    manifest = commands.add_parser("manifest", help="print the trusted documents manifest of .graphql files")
    manifest.add_argument("paths", nargs="+", type=Path, help=".graphql files, or directories to search for them")
    commands.add_parser("assets", help="install GraphiQL's JS and CSS with npm, so that GraphiQL works offline")
    args = parser.parse_args(argv)

    if args.command == "schema":
        from graph.schema.root import sdl

        sys.stdout.write(sdl())
        return
    if args.command == "assets":
        from graph.transport.graphiql import main as install_graphiql_assets

        install_graphiql_assets()
        return
    if args.command == "manifest":
        from graph.guards.manifest import ManifestError, build_manifest, dumps
        from graph.schema.root import schema

        try:
            sys.stdout.write(dumps(build_manifest(args.paths, schema._schema)))
        except ManifestError as error:
            sys.exit(f"python -m graph manifest: {error}")
        return
    try:
        settings = Settings.from_env()
        if args.command == "serve":
            database_url(settings.database)  # the embedded server starts here, or cannot
    except (SettingsError, EmbeddedUnavailable) as error:
        sys.exit(f"python -m graph {args.command}: {error}")
    if args.command == "token":
        from graph.guards.auth import issue_token

        print(issue_token(settings, Tenant(args.client_account_id, args.engagement_id), ttl_seconds=args.ttl))
        return
    if args.demo:
        token = print_demo_banner(settings)
        if settings.environment == "development":
            # The workers build their own settings from the environment; GraphiQL prefills this token.
            os.environ["DEMO_TOKEN"] = token
    serve(settings, workers=args.workers or settings.workers)


if __name__ == "__main__":
    main()
