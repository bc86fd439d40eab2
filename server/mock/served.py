"""The copy of a spec that Connexion is given: one it accepts, as close to the original as can be.

Connexion 3 validates documents against the OpenAPI 3.0 schema, has no 3.1 support, and
recurses forever on some circular `$ref`s. The mock therefore serves a derived document:
examples removed (the mock answers, not Connexion), 3.1 schema keywords rewritten to their 3.0
spelling (type arrays with "null" → `nullable`, `const` → `enum`, numeric exclusive bounds →
boolean ones) or dropped, `$ref`s that close a cycle replaced by an empty schema, and whatever
Connexion's own validation still refuses relaxed node by node. Every relaxation is recorded, so
start-up can say what request validation does not check. Answers are still validated against
the original document.
"""

from __future__ import annotations

import contextlib
import copy
import logging
import re
from collections.abc import Iterator
from typing import Any

import jsonschema
import jsonschema_rs
from specfirst.generator.loader import escape_pointer, resolve_pointer
from specfirst.server.connexion_compat import OpenAPISpecification, create_spec_validator
from specfirst.server.fast_validation import DIALECT_MARK

__all__ = ["already_validated", "connexion_document"]

log = logging.getLogger(__name__)

_NAME_MAPS = frozenset({"properties", "patternProperties", "schemas", "definitions", "$defs",
                        "paths", "responses", "content", "headers", "parameters",
                        "securitySchemes", "requestBodies", "variables", "encoding"})
# What the mock answers from is the original document, so Connexion needs none of these
# (defaults included: Connexion would check them against their schema, and the mock handler
# ignores the arguments they fill in).
_DROP = frozenset({"example", "examples", "xml", "externalDocs", "links", "callbacks",
                   "discriminator", "default"})
_DROP_31 = frozenset({"$schema", "$id", "$anchor", "$comment", "$dynamicRef", "$dynamicAnchor",
                      "prefixItems", "contains", "minContains", "maxContains", "if", "then",
                      "else", "dependentRequired", "dependentSchemas", "unevaluatedProperties",
                      "unevaluatedItems", "contentMediaType", "contentEncoding",
                      "contentSchema", "propertyNames", "patternProperties", "const",
                      "webhooks", "jsonSchemaDialect", "pathItems", "identifier"})
_MAX_ROUNDS = 25
_FAST_CHECK = jsonschema_rs.Draft4Validator(OpenAPISpecification.openapi_schema)


def _downgrade_schema(node: dict[str, Any]) -> dict[str, Any]:
    if "$ref" in node:
        return {"$ref": node["$ref"]}
    kinds = node.get("type")
    if isinstance(kinds, list):
        non_null = [k for k in kinds if k != "null"]
        if "null" in kinds:
            node["nullable"] = True
        if len(non_null) == 1:
            node["type"] = non_null[0]
        else:
            node.pop("type")
    if kinds == "null":
        node.pop("type")
        node["nullable"] = True
        node["enum"] = [None]
    if "const" in node:
        node["enum"] = [node["const"]]
    for key, bound in (("exclusiveMinimum", "minimum"), ("exclusiveMaximum", "maximum")):
        value = node.get(key)
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            node[bound] = value
            node[key] = True
    if node.get("type") == "array" and "items" not in node:
        node["items"] = {}
    return node


def _copy(node: Any, is_v31: bool, drop: frozenset[str], names: bool = False,
          depth: int = 0) -> Any:
    if depth > 500:
        return {}
    if isinstance(node, list):
        return [_copy(item, is_v31, drop, False, depth + 1) for item in node]
    if not isinstance(node, dict):
        return node
    out: dict[str, Any] = {}
    for key, value in node.items():
        if not names and (key in drop or (is_v31 and key in _DROP_31 and key != "const")):
            continue
        if not names and key in ("enum", "const", "default"):
            out[key] = value
            continue
        out[key] = _copy(value, is_v31, drop, not names and key in _NAME_MAPS, depth + 1)
    if is_v31 and not names:
        out = _downgrade_schema(out)
        out.pop("const", None)
    if not names and isinstance(out.get("oneOf"), list):
        # Requests valid under several branches are refused by oneOf; accept them (anyOf).
        out["anyOf"] = out.pop("oneOf")
    return out


def _break_cycles(document: dict[str, Any], notes: list[str]) -> None:
    """Replace every `$ref` that leads back into a schema being expanded by `{}`."""
    state: dict[str, int] = {}  # 1 = on the stack, 2 = done

    def visit(node: Any, stack: list[str], depth: int) -> None:
        if depth > 2000:
            return
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str) and ref.startswith("#"):
                target = ref[1:]
                if state.get(target) == 1:
                    node.clear()
                    notes.append(f"circular $ref {ref} not validated")
                    return
                if state.get(target) == 2:
                    return
                try:
                    resolved = resolve_pointer(document, target)
                except KeyError:
                    return
                state[target] = 1
                visit(resolved, stack + [target], depth + 1)
                state[target] = 2
                return
            for value in list(node.values()):
                visit(value, stack, depth + 1)
        elif isinstance(node, list):
            for value in node:
                visit(value, stack, depth + 1)

    visit(document.get("paths"), [], 0)


def _mark_dialect(document: dict[str, Any]) -> None:
    """Every schema root of a 3.1 document rewritten in 3.0 terms says it means Draft 2020-12,
    so that the compiled validators (`specfirst.server.fast_validation`) judge values that way
    (`3.0` is an integer there)."""

    def visit(node: Any, depth: int) -> None:
        if depth > 60:
            return
        if isinstance(node, list):
            for item in node:
                visit(item, depth + 1)
        elif isinstance(node, dict):
            for key, value in node.items():
                if key == "schema" and isinstance(value, dict) and "$ref" not in value:
                    value[DIALECT_MARK] = "draft2020-12"
                elif key in ("properties", "items", "allOf", "anyOf", "oneOf", "not"):
                    continue  # inside a schema already marked at its root
                else:
                    visit(value, depth + 1)

    visit(document.get("paths"), 0)
    components = document.get("components")
    if isinstance(components, dict):
        for schema in (components.get("schemas") or {}).values():
            if isinstance(schema, dict) and "$ref" not in schema:
                schema[DIALECT_MARK] = "draft2020-12"
        visit({k: v for k, v in components.items() if k != "schemas"}, 0)


def _optional_bodies_nullable(document: dict[str, Any]) -> None:
    """Connexion refuses a missing optional JSON body unless its schema is nullable."""
    for item in (document.get("paths") or {}).values():
        if not isinstance(item, dict):
            continue
        for operation in item.values():
            body = operation.get("requestBody") if isinstance(operation, dict) else None
            if isinstance(body, dict) and "$ref" in body:
                try:
                    body = resolve_pointer(document, body["$ref"].lstrip("#"))
                except KeyError:
                    continue
            if not isinstance(body, dict) or body.get("required") is True:
                continue
            for media in (body.get("content") or {}).values():
                if isinstance(media, dict) and isinstance(media.get("schema"), dict):
                    schema = media["schema"]
                    if "$ref" in schema:
                        media["schema"] = {"allOf": [schema], "nullable": True}
                    else:
                        schema["nullable"] = True


_NUMBER_PATTERNS = {"integer": r"^[-+]?[0-9]+$",
                    "number": r"^[-+]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][-+]?[0-9]+)?$"}
_FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
_LITERAL_BRACE = re.compile(r"(?<!\\){(?![0-9]+(,[0-9]*)?})")
# OpenAPI: header parameters with these names are ignored.
_IGNORED_HEADERS = frozenset({"accept", "content-type", "authorization"})


def _relax_parameter(path: str, param: dict[str, Any], notes: list[str]) -> None:
    where = f"{path}: {param.get('in')} parameter {param.get('name')}"
    schema = param.get("schema")
    if not isinstance(schema, dict) or "$ref" in schema:
        schema = {} if not isinstance(schema, dict) else schema
    kind = schema.get("type")
    location = param.get("in")
    pattern = schema.get("pattern")
    if isinstance(pattern, str) and _LITERAL_BRACE.search(pattern):
        # `{` as a literal is read differently by regex dialects: not validated here
        schema.pop("pattern")
        notes.append(f"{where}: pattern not checked")
    if location in ("header", "cookie") and kind not in (None, "string"):
        # Connexion does not coerce header and cookie values before validating them.
        param["schema"] = {"type": "string"}
        notes.append(f"{where}: only checked to be present")
    elif location == "path" and kind in _NUMBER_PATTERNS:
        # Starlette's int/float route converters refuse signs and exponents (404).
        param["schema"] = {"type": "string", "pattern": _NUMBER_PATTERNS[kind]}
        notes.append(f"{where}: checked as {'an' if kind == 'integer' else 'a'} {kind} "
                     "without its bounds")
    elif location in ("path", "query") and (kind in ("object", None) or "$ref" in schema):
        deep = param.get("style") == "deepObject"
        param["schema"] = {"type": "object"} if deep else {"type": "string"}
        if location == "query":
            param["required"] = False
        notes.append(f"{where}: {param.get('style', 'form')} style not validated")
    elif location == "path" and kind == "array":
        param["schema"] = {"type": "string"}
        notes.append(f"{where}: array not validated")


def _relax_parameters(document: dict[str, Any], notes: list[str]) -> None:
    """What Connexion cannot parse or route is relaxed (or, for routes, dropped)."""
    for path in list(document.get("paths") or {}):
        names = re.findall(r"{([^{}]+)}", str(path))
        if len(names) != len(set(names)):
            notes.append(f"{path}: repeats a path variable; Connexion cannot route it")
            document["paths"].pop(path)
            continue
        item = document["paths"][path]
        if not isinstance(item, dict):
            continue
        lists = [item.get("parameters")] + [op.get("parameters") for op in item.values()
                                            if isinstance(op, dict)]
        for params in lists:
            if isinstance(params, list):
                params[:] = [p for p in params if not (
                    isinstance(p, dict) and p.get("in") == "header"
                    and str(p.get("name", "")).lower() in _IGNORED_HEADERS)]
            for param in params if isinstance(params, list) else []:
                if isinstance(param, dict) and "$ref" in param:
                    try:
                        param = resolve_pointer(document, param["$ref"].lstrip("#"))
                    except KeyError:
                        continue
                if isinstance(param, dict) and "schema" in param:
                    _relax_parameter(str(path), param, notes)
        for method, operation in item.items():
            if not isinstance(operation, dict) or method == "parameters":
                continue
            if not operation.get("responses"):
                operation["responses"] = {"default": {"description": "not documented"}}
            body = operation.get("requestBody")
            if isinstance(body, dict) and "$ref" in body:
                try:
                    body = resolve_pointer(document, body["$ref"].lstrip("#"))
                except KeyError:
                    continue
            content = body.get("content") if isinstance(body, dict) else None
            if not isinstance(content, dict):
                continue
            forms = [m for m in content if str(m).split(";")[0].strip() in _FORM_TYPES]
            if forms:
                # Connexion validates form fields before converting them from strings, and its
                # multipart parsing fails on some requests; the mock does not read form bodies.
                notes.append(f"{method.upper()} {path}: {', '.join(forms)} body not validated")
                for media_type in forms:
                    content.pop(media_type)
                if not content:
                    operation.pop("requestBody")


def _literal_paths_first(document: dict[str, Any]) -> None:
    """Connexion routes in document order; `/a/{id}/{action}` listed first would answer for
    `/a/{id}/override`. Literal segments go before variables at the same position."""
    paths = document.get("paths")
    if not isinstance(paths, dict):
        return

    def key(path: str) -> tuple[int, ...]:
        return tuple(1 if seg.startswith("{") else 0 for seg in str(path).strip("/").split("/"))

    document["paths"] = {path: paths[path] for path in sorted(paths, key=key)}


def _parent_and_key(document: Any, path: list[Any]) -> tuple[Any, Any]:
    node = document
    for token in path[:-1]:
        node = node[token]
    return node, path[-1]


def _repair(document: dict[str, Any], error: jsonschema.ValidationError,
            attempts: dict[str, int], notes: list[str]) -> bool:
    path = list(error.absolute_path)
    best = jsonschema.exceptions.best_match([error])
    deeper = list(best.absolute_path)
    if deeper[:len(path)] == path:
        path = deeper
    while path:
        pointer = "/" + "/".join(escape_pointer(str(p)) for p in path)
        try:
            parent, key = _parent_and_key(document, path)
            node = parent[key]
        except (KeyError, IndexError, TypeError):
            path = path[:-1]
            continue
        count = attempts.get(pointer, 0)
        attempts[pointer] = count + 1
        if isinstance(node, dict) and count == 0 and "default" in node:
            node.pop("default")
            notes.append(f"{pointer}: default dropped")
            return True
        if count <= 1 and isinstance(parent, dict):
            if isinstance(node, dict) and any(k in node for k in ("type", "properties", "items",
                                                                  "$ref", "allOf", "enum")):
                parent[key] = {}
                notes.append(f"{pointer}: schema not validated")
                return True
            if str(key).startswith("x-") is False and str(key) not in ("paths", "info",
                                                                         "openapi"):
                parent.pop(key)
                notes.append(f"{pointer}: removed")
                return True
        path = path[:-1]
    return False


@contextlib.contextmanager
def already_validated() -> Iterator[None]:
    """Connexion validates a document against the OpenAPI 3.0 schema in pure Python, three
    times per `add_api` (25 s for GitHub's spec). `connexion_document` has checked the same
    schema already (with jsonschema-rs, and without defaults, which Connexion's extra check
    is about), so `add_api` may skip it inside this block."""
    own = OpenAPISpecification.__dict__.get("_validate_spec")
    OpenAPISpecification._validate_spec = classmethod(lambda cls, spec: None)
    try:
        yield
    finally:
        if own is None:
            del OpenAPISpecification._validate_spec
        else:
            OpenAPISpecification._validate_spec = own


def connexion_document(document: dict[str, Any], *, is_v31: bool,
                       notes: list[str] | None = None,
                       keep_defaults: bool = False) -> dict[str, Any]:
    """A copy of `document` that Connexion 3 accepts; relaxations are appended to `notes`.

    `keep_defaults=True` is for serving real handlers, to which Connexion passes the defaults
    of absent query parameters: defaults are kept (those Connexion refuses are dropped, and
    noted), at the cost of Connexion's own, slower validation pass here.
    """
    notes = notes if notes is not None else []
    first_new = len(notes)
    try:
        return _connexion_document(document, is_v31, notes, keep_defaults)
    finally:  # a relaxation shared by several operations (a component) is noted once
        notes[first_new:] = dict.fromkeys(notes[first_new:])


def _connexion_document(document: dict[str, Any], is_v31: bool, notes: list[str],
                        keep_defaults: bool) -> dict[str, Any]:
    drop = _DROP - {"default"} if keep_defaults else _DROP
    served: dict[str, Any] = _copy(document, is_v31, drop)
    if isinstance(document.get("servers"), list):  # server variables need their defaults
        served["servers"] = copy.deepcopy(document["servers"])
    if is_v31:
        served["openapi"] = "3.0.3"
        info = served.get("info")
        if isinstance(info, dict):
            info.pop("summary", None)
        served.setdefault("paths", {})
    _break_cycles(served, notes)
    if is_v31:
        _mark_dialect(served)
    _optional_bodies_nullable(served)
    _relax_parameters(served, notes)
    _literal_paths_first(served)
    if not keep_defaults and _FAST_CHECK.is_valid(served):
        return served
    validator = create_spec_validator(served)(OpenAPISpecification.openapi_schema)
    attempts: dict[str, int] = {}
    for _ in range(_MAX_ROUNDS):  # each round: one validation pass, every error repaired
        errors = list(validator.iter_errors(served))
        if not errors:
            break
        repaired = [_repair(served, error, attempts, notes) for error in errors]
        if not any(repaired):
            notes.append(f"cannot make the document acceptable: {errors[0].message[:200]}")
            break
    for note in dict.fromkeys(notes):
        log.debug("mock request validation: %s", note)
    return served
