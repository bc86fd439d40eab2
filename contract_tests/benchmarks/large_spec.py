"""A generated OpenAPI 3.0 document of about a thousand operations, for start-up benchmarks.

Deterministic (same input, same bytes), shaped like a large public API: `resources` resource
families, each a collection and an item path with list / create / get / replace / update /
delete, plus sub-collections; shared component schemas with `$ref`s, enums, formats, nested
objects, query parameters and error responses. No third-party spec is needed to reproduce the
start-up figures.
"""

from __future__ import annotations

from typing import Any

__all__ = ["generate_spec", "operation_count"]

_PROBLEM = {"$ref": "#/components/responses/Problem"}


def _schema(name: str, index: int) -> dict[str, Any]:
    return {
        "type": "object",
        "required": ["id", "name", "status", "created_at"],
        "properties": {
            "id": {"type": "string", "format": "uuid", "readOnly": True},
            "name": {"type": "string", "minLength": 1, "maxLength": 200},
            "status": {"type": "string", "enum": ["active", "archived", "pending"]},
            "amount": {"type": "number", "minimum": 0, "nullable": True},
            "count": {"type": "integer", "minimum": 0, "maximum": 1_000_000},
            "tags": {"type": "array", "maxItems": 20,
                     "items": {"type": "string", "maxLength": 50}},
            "owner": {"$ref": "#/components/schemas/Owner"},
            "address": {"$ref": "#/components/schemas/Address"},
            "created_at": {"type": "string", "format": "date-time", "readOnly": True},
            "parent_id": {"type": "string", "format": "uuid", "nullable": True},
            f"{name}_note": {"type": "string", "maxLength": 1000 + index},
        },
        "additionalProperties": False,
    }


def _operation(op_id: str, tag: str, summary: str, *, body: str | None = None,
               response: dict[str, Any] | None = None, status: str = "200",
               params: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    operation: dict[str, Any] = {
        "operationId": op_id, "tags": [tag], "summary": summary,
        "responses": {status: response or {"description": "Done."}, "400": _PROBLEM,
                      "401": _PROBLEM, "404": _PROBLEM, "default": _PROBLEM},
    }
    if params:
        operation["parameters"] = params
    if body:
        operation["requestBody"] = {"required": True, "content": {"application/json": {
            "schema": {"$ref": f"#/components/schemas/{body}"}}}}
    return operation


def _json(ref: str) -> dict[str, Any]:
    return {"description": "OK.", "content": {"application/json": {
        "schema": {"$ref": f"#/components/schemas/{ref}"}}}}


def generate_spec(resources: int = 125) -> dict[str, Any]:
    """A spec with `8 * resources` operations (1000 by default)."""
    paths: dict[str, Any] = {}
    schemas: dict[str, Any] = {
        "Owner": {"type": "object", "properties": {
            "id": {"type": "string", "format": "uuid"},
            "email": {"type": "string", "format": "email"}}},
        "Address": {"type": "object", "properties": {
            "line1": {"type": "string"}, "city": {"type": "string"},
            "country": {"type": "string", "pattern": "^[A-Z]{2}$"}}},
        "Problem": {"type": "object", "required": ["title", "status"], "properties": {
            "type": {"type": "string"}, "title": {"type": "string"},
            "status": {"type": "integer"}, "detail": {"type": "string"}}},
    }
    id_param = {"name": "id", "in": "path", "required": True,
                "schema": {"type": "string", "format": "uuid"}}
    list_params = [
        {"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1,
                                                     "maximum": 100, "default": 25}},
        {"name": "cursor", "in": "query", "schema": {"type": "string", "maxLength": 200}},
        {"name": "status", "in": "query",
         "schema": {"type": "string", "enum": ["active", "archived", "pending"]}},
    ]
    for index in range(resources):
        name = f"resource{index:03d}"
        model = f"Resource{index:03d}"
        schemas[model] = _schema(name, index)
        schemas[f"{model}List"] = {"type": "object", "required": ["data"], "properties": {
            "data": {"type": "array", "items": {"$ref": f"#/components/schemas/{model}"}},
            "next_cursor": {"type": "string", "nullable": True}}}
        base = f"/v1/{name}"
        paths[base] = {
            "get": _operation(f"list_{name}", name, f"List {name}.", response=_json(
                f"{model}List"), params=list_params),
            "post": _operation(f"create_{name}", name, f"Create a {name}.", body=model,
                               response=_json(model), status="201"),
        }
        paths[f"{base}/{{id}}"] = {
            "parameters": [id_param],
            "get": _operation(f"get_{name}", name, f"Get a {name}.", response=_json(model)),
            "put": _operation(f"replace_{name}", name, f"Replace a {name}.", body=model,
                              response=_json(model)),
            "patch": _operation(f"update_{name}", name, f"Update a {name}.", body=model,
                                response=_json(model)),
            "delete": _operation(f"delete_{name}", name, f"Delete a {name}.",
                                 response={"description": "Deleted."}, status="204"),
        }
        paths[f"{base}/{{id}}/children"] = {
            "parameters": [id_param],
            "get": _operation(f"list_{name}_children", name, f"Children of a {name}.",
                              response=_json(f"{model}List"), params=list_params),
            "post": _operation(f"add_{name}_child", name, f"Add a child to a {name}.",
                               body=model, response=_json(model), status="201"),
        }
    return {
        "openapi": "3.0.3",
        "info": {"title": "Generated large API", "version": "1.0.0"},
        "servers": [{"url": "/"}],
        "paths": paths,
        "components": {
            "schemas": schemas,
            "responses": {"Problem": {"description": "A problem.", "content": {
                "application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}
            }}},
        },
    }


def operation_count(document: dict[str, Any]) -> int:
    methods = {"get", "put", "post", "delete", "patch", "options", "head", "trace"}
    return sum(1 for item in document.get("paths", {}).values() for key in item
               if key in methods)
