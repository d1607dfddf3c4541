"""Flowgate's GraphQL layer: schema, loaders, auth and the HTTP server."""
