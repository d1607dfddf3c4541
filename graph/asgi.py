"""The ASGI entry point for uvicorn: `graph.asgi:app`, configured from the environment.

Each worker process imports it once, so the collector is tuned here, after
everything the app needs has been imported and built.  Served, the app
drains on SIGTERM before shutting down (`graph.transport.draining`).
"""

from graph.observability.collector import tune_for_serving
from graph.transport.app import create_app

app = create_app(drain_on_sigterm=True)
tune_for_serving()
