"""How requests arrive: the Starlette app, GraphQL over HTTP and over WebSocket, GraphiQL, readiness."""
