"""The checks of a valid OpenAPI document that its JSON Schema cannot express.

These are the semantic checks openapi-spec-validator runs after its schema check (unique
operationIds, path templates and path parameters that agree, no duplicate parameters or tags,
`required` names that an `allOf` schema declares, defaults valid against their schema, 3.1
schemas valid for their dialect), done on the bundled document directly. Working on plain data
with exact JSON pointers makes them fast on large specs and locates every problem precisely.
Operations come from the lint context's one walk, so 3.1 webhooks and callbacks (which
openapi-spec-validator does not look at) are held to the same uniqueness and parameter checks.
"""

from __future__ import annotations

import logging
import string
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from jsonschema.exceptions import SchemaError
from openapi_schema_validator import OAS30Validator, OAS31Validator
from specfirst.generator.lint.rule import LintContext, Operation
from specfirst.generator.lint.rules.sf305_example_valid import json_message
from specfirst.generator.loader import escape_pointer

__all__ = ["Problem", "semantic_problems"]

log = logging.getLogger(__name__)


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
    """Every semantic problem; a check that cannot read a malformed part of the document (the
    structural check reports that part) gives what it found up to there."""
    for check in (_operations, _tags, _schemas):
        try:
            yield from check(ctx)
        except (AttributeError, KeyError, TypeError, ValueError, IndexError):
            log.debug("semantic check %s stopped on a malformed document", check.__name__,
                      exc_info=True)


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
    """operationIds unique among every operation (paths, webhooks, callbacks), no duplicate
    parameters, and, for `paths`, templates and path parameters that agree.

    A webhook's name and a callback's runtime expression are not path templates, so only
    operations under `paths` have their path parameters checked against the key.
    """
    ids: dict[str, tuple[str, str]] = {}
    items_checked: set[str] = set()
    for op in ctx.operation_list():
        shared = list(_parameter_list(ctx, op.item.get("parameters"),
                                      f"{op.item_pointer}/parameters"))
        if op.item_pointer not in items_checked:
            items_checked.add(op.item_pointer)
            yield from _duplicates(shared)
        operation_id = op.node.get("operationId")
        if isinstance(operation_id, str):
            if operation_id in ids:
                label, pointer = ids[operation_id]
                yield Problem(f"{op.pointer}/operationId",
                              f"operationId {operation_id!r} of {op.label()} is not unique: "
                              f"also used by {label} at #{pointer}",
                              "give every operation its own id")
            else:
                ids[operation_id] = (op.label(), f"{op.pointer}/operationId")
        own = list(_parameter_list(ctx, op.node.get("parameters"), f"{op.pointer}/parameters"))
        yield from _duplicates(own)
        if op.kind == "path":
            yield from _path_parameters(op, shared + own)


def _duplicates(params: list[tuple[dict[str, Any], str, bool]]) -> Iterator[Problem]:
    for param, pointer, duplicate in params:
        if duplicate:
            yield Problem(pointer, f"duplicate parameter {param.get('name')!r}",
                          "declare each (name, in) pair once")


def _path_parameters(op: Operation, params: list[tuple[dict[str, Any], str, bool]]
                     ) -> Iterator[Problem]:
    template = set(_template_names(op.path))
    declared: dict[str, str] = {}
    for param, pointer, _ in params:
        if param.get("in") == "path" and isinstance(param.get("name"), str):
            declared[param["name"]] = pointer
    for name in sorted(template - set(declared)):
        yield Problem(op.pointer, f"path parameter {name!r} of {op.label()} is not declared",
                      f"add a parameter with name: {name}, in: path, required: true", key=True)
    for name in sorted(set(declared) - template):
        yield Problem(declared[name], f"path parameter {name!r} is not in the path {op.path!r}",
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
                          "the default value does not match its schema: "
                          f"{json_message(error, [error])}",
                          "change the default or the schema")
