"""The ASGI entry point for uvicorn: `graph.asgi:app`, configured from the environment."""

from graph.app import create_app

app = create_app()
