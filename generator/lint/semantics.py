"""The checks of a valid OpenAPI document that its JSON Schema cannot express.

These are the semantic checks openapi-spec-validator runs after its schema check (unique
operationIds, path templates and path parameters that agree, no duplicate parameters or tags,
`required` names that an `allOf` schema declares, defaults valid against their schema, 3.1
schemas valid for their dialect), done on the bundled document directly. Working on plain data
with exact JSON pointers makes them fast on large specs and locates every problem precisely.
"""

from __future__ import annotations

import string
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from jsonschema.exceptions import SchemaError
from openapi_schema_validator import OAS30Validator, OAS31Validator

from generator.lint.rule import LintContext
from generator.lint.walk import HTTP_METHODS, path_pointer
from generator.loader import escape_pointer

__all__ = ["Problem", "semantic_problems"]


@dataclass(frozen=True)
class Problem:
    pointer: str
    message: str
    hint: str | None = None
    key: bool = False


def _template_names(path: str) -> list[str]:
    try:
        return [name for _, name, _, _ in string.Formatter().parse(path) if name]
    except ValueError:
        return []


def semantic_problems(ctx: LintContext) -> Iterator[Problem]:
    yield from _operations(ctx)
    yield from _tags(ctx)
    yield from _schemas(ctx)


def _parameter_list(ctx: LintContext, params: Any, base: str
                    ) -> Iterator[tuple[dict[str, Any], str, bool]]:
    """(parameter, pointer, duplicate) for a `parameters` list."""
    if not isinstance(params, list):
        return
    seen: set[tuple[Any, Any]] = set()
    for index, param in enumerate(params):
        param, _ = ctx.deref(param, f"{base}/{index}")
        if not isinstance(param, dict):
            continue
        key = (param.get("name"), param.get("in"))
        yield param, f"{base}/{index}", key in seen
        seen.add(key)


def _operations(ctx: LintContext) -> Iterator[Problem]:
    paths = ctx.document.get("paths")
    if not isinstance(paths, dict):
        return
    ids: dict[str, str] = {}
    for path, item in paths.items():
        item, item_pointer = ctx.deref(item, path_pointer(path))
        if not isinstance(item, dict):
            continue
        shared = list(_parameter_list(ctx, item.get("parameters"), f"{item_pointer}/parameters"))
        for param, pointer, duplicate in shared:
            if duplicate:
                yield Problem(pointer, f"duplicate parameter {param.get('name')!r}",
                              "declare each (name, in) pair once")
        template = set(_template_names(str(path)))
        for method in HTTP_METHODS:
            op = item.get(method)
            if not isinstance(op, dict):
                continue
            op_pointer = f"{item_pointer}/{method}"
            operation_id = op.get("operationId")
            if isinstance(operation_id, str):
                if operation_id in ids:
                    yield Problem(f"{op_pointer}/operationId",
                                  f"operationId {operation_id!r} is not unique: also used at "
                                  f"#{ids[operation_id]}", "give every operation its own id")
                else:
                    ids[operation_id] = f"{op_pointer}/operationId"
            own = list(_parameter_list(ctx, op.get("parameters"), f"{op_pointer}/parameters"))
            for param, pointer, duplicate in own:
                if duplicate:
                    yield Problem(pointer, f"duplicate parameter {param.get('name')!r}",
                                  "declare each (name, in) pair once")
            declared: dict[str, str] = {}
            for param, pointer, _ in shared + own:
                if param.get("in") == "path" and isinstance(param.get("name"), str):
                    declared[param["name"]] = pointer
            for name in sorted(template - set(declared)):
                yield Problem(op_pointer,
                              f"path parameter {name!r} of {method.upper()} {path} is not "
                              "declared", f"add a parameter with name: {name}, in: path, "
                              "required: true", key=True)
            for name in sorted(set(declared) - template):
                yield Problem(declared[name],
                              f"path parameter {name!r} is not in the path {path!r}",
                              "remove it, or add {" + name + "} to the path")


def _tags(ctx: LintContext) -> Iterator[Problem]:
    tags = ctx.document.get("tags")
    if not isinstance(tags, list):
        return
    seen: set[Any] = set()
    for index, tag in enumerate(tags):
        name = tag.get("name") if isinstance(tag, dict) else None
        if name in seen:
            yield Problem(f"/tags/{index}", f"duplicate tag name {name!r}",
                          "declare each tag once")
        seen.add(name)


def _collect_properties(ctx: LintContext, schema: Any, depth: int = 0) -> set[str]:
    schema, _ = ctx.deref(schema, "")
    if not isinstance(schema, dict) or depth > 32:
        return set()
    names = set(schema["properties"]) if isinstance(schema.get("properties"), dict) else set()
    for key in ("allOf", "anyOf", "oneOf"):
        if isinstance(schema.get(key), list):
            for sub in schema[key]:
                names |= _collect_properties(ctx, sub, depth + 1)
    for key in ("items", "not"):
        if isinstance(schema.get(key), dict):
            names |= _collect_properties(ctx, schema[key], depth + 1)
    return names


def _root_schemas(ctx: LintContext) -> list[tuple[Any, str]]:
    """Schemas written at the top of a component, media type, parameter or header."""
    out = []
    for schema, pointer in ctx.schemas():
        parts = pointer.split("/")
        if pointer.endswith("/schema") or (len(parts) == 4 and parts[1] == "components"
                                           and parts[2] == "schemas"):
            out.append((schema, pointer))
    return out


def _schemas(ctx: LintContext) -> Iterator[Problem]:
    v31 = ctx.spec.is_v31
    validator = (OAS31Validator if v31 else OAS30Validator)(ctx.document)
    roots = _root_schemas(ctx)
    if v31:
        for schema, pointer in roots:
            try:
                OAS31Validator.check_schema(schema)
            except SchemaError as exc:
                at = pointer + "".join("/" + escape_pointer(str(p)) for p in exc.path)
                yield Problem(at, f"invalid schema: {exc.message}")
    for schema, pointer in roots:
        if not isinstance(schema.get("allOf"), list):
            continue
        required = schema.get("required")
        if not isinstance(required, list):
            continue
        declared = set(schema["properties"]) if isinstance(schema.get("properties"),
                                                           dict) else set()
        for sub in schema["allOf"]:
            declared |= _collect_properties(ctx, sub)
        extra = [r for r in required if isinstance(r, str) and r not in declared]
        if extra:
            yield Problem(f"{pointer}/required",
                          f"required lists properties that are not defined: {extra}",
                          "declare them under properties, or remove them from required")
    for schema, pointer in ctx.schemas():
        if "default" not in schema:
            continue
        default = schema["default"]
        if default is None and schema.get("nullable") is True:
            continue
        try:
            errors = list(validator.evolve(schema=schema).iter_errors(default))
        except Exception:  # an unresolvable $ref inside; valid-openapi reports what it can
            continue
        for error in errors[:1]:
            yield Problem(f"{pointer}/default",
                          f"the default value does not match its schema: {error.message}",
                          "change the default or the schema")
