"""The OpenAPI document other systems generate clients from: every reference resolves, every
path parameter is declared, and no schema is registered under two names."""

from __future__ import annotations

import re
import warnings
from typing import Any

from support.web import api_token


def _refs(node: Any) -> list[str]:
    if isinstance(node, dict):
        found = [node["$ref"]] if isinstance(node.get("$ref"), str) else []
        return found + [ref for value in node.values() for ref in _refs(value)]
    if isinstance(node, list):
        return [ref for value in node for ref in _refs(value)]
    return []


def _resolve(document: dict[str, Any], ref: str) -> Any:
    node: Any = document
    for part in ref.removeprefix("#/").split("/"):
        node = node.get(part) if isinstance(node, dict) else None
    return node


def test_every_reference_of_the_openapi_document_resolves(app: Any) -> None:
    client = app.test_client()
    document = client.get("/api/v1/_openapi", headers=api_token(client, "admin")).json
    refs = set(_refs(document))
    assert "#/components/parameters/pk" in refs  # positive control: the shared parameters are used
    assert [ref for ref in sorted(refs) if _resolve(document, ref) is None] == []


def test_every_path_parameter_is_declared_by_its_operations(app: Any) -> None:
    client = app.test_client()
    document = client.get("/api/v1/_openapi", headers=api_token(client, "admin")).json
    undeclared = []
    for path, operations in document["paths"].items():
        wanted = set(re.findall(r"{(\w+)}", path))
        for method, operation in operations.items():
            declared = {
                (_resolve(document, p["$ref"]) if "$ref" in p else p)["name"]
                for p in operation.get("parameters", []) + operations.get("parameters", [])
                if ("$ref" in p and _resolve(document, p["$ref"])) or "name" in p
            }
            undeclared += [f"{method.upper()} {path}: {name}" for name in wanted - declared]
    assert "/api/v1/case/{pk}/transition" in document["paths"]
    assert undeclared == []


def test_no_schema_is_registered_twice_in_the_openapi_document(app: Any) -> None:
    """A schema added twice has one reference for two components (apispec warns): each API's
    list and single-record schemas are schemas of their own."""
    client = app.test_client()
    headers = api_token(client, "admin")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert client.get("/api/v1/_openapi", headers=headers).status_code == 200
    assert [str(w.message) for w in caught if "already been added" in str(w.message)] == []
