"""Trusted documents manifests, built from `.graphql` files: `python -m graph manifest <dir-or-files>`.

A manifest is a JSON object `{sha256: document}`: the `persisted-documents.json`
format of GraphQL Code Generator's client preset, which `TRUSTED_DOCUMENTS`
loads (`graph.guards.persisted.TrustedDocuments`).  Each `.graphql` file is one
document, byte for byte: its operations and the fragments they spread.  A
file that does not parse, holds no operation or does not validate against
the schema stops the build, so a manifest never lists a document the
gateway would refuse.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path

from graphql import GraphQLError, GraphQLSchema, OperationDefinitionNode, parse, validate

from graph.guards.persisted import sha256_hex

__all__ = ["ManifestError", "build_manifest", "dumps", "graphql_files"]


class ManifestError(Exception):
    """Some of the files cannot be trusted documents; the message names each and why."""


def graphql_files(paths: Iterable[Path]) -> list[Path]:
    """The files named, and every `*.graphql` file under the directories named, in path order."""
    files: set[Path] = set()
    for path in paths:
        if path.is_dir():
            files.update(path.rglob("*.graphql"))
        elif path.is_file():
            files.add(path)
        else:
            raise ManifestError(f"{path}: no such file or directory.")
    return sorted(files)


def _problems(document: str, schema: GraphQLSchema) -> list[str]:
    try:
        ast = parse(document)
    except GraphQLError as error:
        return [error.message]
    if not any(isinstance(definition, OperationDefinitionNode) for definition in ast.definitions):
        return ["The document holds no operation."]
    return [error.message for error in validate(schema, ast)]


def build_manifest(paths: Iterable[Path], schema: GraphQLSchema) -> dict[str, str]:
    """The manifest of the `.graphql` files at `paths`, keyed by SHA-256, sorted by key.

    Raises ManifestError, naming every bad file, when a file does not parse, holds no
    operation or does not validate against `schema`, or when no file is found.
    """
    documents: dict[str, str] = {}
    problems: list[str] = []
    files = graphql_files(paths)
    if not files:
        raise ManifestError("No .graphql files were found.")
    for file in files:
        document = file.read_text(encoding="utf-8")
        problems += [f"{file}: {problem}" for problem in _problems(document, schema)]
        documents[sha256_hex(document)] = document
    if problems:
        raise ManifestError("\n".join(problems))
    return dict(sorted(documents.items()))


def dumps(manifest: dict[str, str]) -> str:
    """The manifest as the JSON text written to `persisted-documents.json`."""
    return json.dumps(manifest, indent=2, ensure_ascii=False) + "\n"
