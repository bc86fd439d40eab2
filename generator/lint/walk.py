"""Ways through a spec that several rules share: schemas, parameters, bodies, responses.

Everything here works on the bundled document (only local `#/...` references) and yields
`(node, pointer)` pairs, so a rule can report the exact node. Walks that follow references
visit each target once, so a shared component is reported once, at its definition.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from specfirst.generator.loader import HTTP_METHODS, Spec, escape_pointer

__all__ = [
    "HTTP_METHODS",
    "SCHEMA_CHILD_LISTS",
    "SCHEMA_CHILD_MAPS",
    "SCHEMA_CHILDREN",
    "document_schemas",
    "iter_schema",
    "media_types",
    "path_pointer",
]

SCHEMA_CHILDREN = ("items", "additionalProperties", "not", "contains", "propertyNames",
                   "additionalItems", "unevaluatedProperties", "unevaluatedItems", "if", "then",
                   "else")
SCHEMA_CHILD_LISTS = ("allOf", "oneOf", "anyOf", "prefixItems")
SCHEMA_CHILD_MAPS = ("properties", "patternProperties", "dependentSchemas", "$defs",
                     "definitions")
# Keys of non-schema objects whose values are data, never spec structure.
_DATA_KEYS = frozenset({"example", "examples", "default", "enum", "const", "value"})


def path_pointer(path: str, *rest: str) -> str:
    return "/paths/" + escape_pointer(path) + "".join("/" + escape_pointer(r) for r in rest)


def iter_schema(spec: Spec, schema: Any, pointer: str, *, follow: bool = False,
                seen: set[str] | None = None, depth: int = 0) -> Iterator[tuple[dict[str, Any],
                                                                                  str]]:
    """Every schema object in `schema` (itself first); with `follow`, through `$ref`s once each."""
    if seen is None:
        seen = set()
    if not isinstance(schema, dict) or depth > 200:
        return
    if "$ref" in schema:
        if not follow:
            return
        schema, pointer = spec.deref(schema, pointer)
        if not isinstance(schema, dict) or "$ref" in schema:
            return
    if pointer in seen:
        return
    seen.add(pointer)
    yield schema, pointer
    for key in SCHEMA_CHILDREN:
        child = schema.get(key)
        if isinstance(child, dict):
            yield from iter_schema(spec, child, f"{pointer}/{key}", follow=follow, seen=seen,
                                   depth=depth + 1)
    for key in SCHEMA_CHILD_LISTS:
        children = schema.get(key)
        if isinstance(children, list):
            for i, child in enumerate(children):
                yield from iter_schema(spec, child, f"{pointer}/{key}/{i}", follow=follow,
                                       seen=seen, depth=depth + 1)
    if isinstance(schema.get("items"), list):
        for i, child in enumerate(schema["items"]):
            yield from iter_schema(spec, child, f"{pointer}/items/{i}", follow=follow,
                                   seen=seen, depth=depth + 1)
    for key in SCHEMA_CHILD_MAPS:
        children = schema.get(key)
        if isinstance(children, dict):
            for name, child in children.items():
                yield from iter_schema(spec, child, f"{pointer}/{key}/{escape_pointer(name)}",
                                       follow=follow, seen=seen, depth=depth + 1)


def document_schemas(spec: Spec) -> Iterator[tuple[dict[str, Any], str]]:
    """Every schema object written in the document, each once, without following `$ref`s."""
    seen: set[str] = set()
    stack: list[tuple[Any, str, bool]] = [(spec.document, "", False)]
    while stack:
        node, pointer, is_schema = stack.pop()
        if is_schema:
            yield from iter_schema(spec, node, pointer, seen=seen)
            continue
        if isinstance(node, dict):
            items = list(node.items())
            for key, value in reversed(items):
                if key in _DATA_KEYS or key.startswith("x-") or key == "$ref":
                    continue
                child = f"{pointer}/{escape_pointer(key)}"
                if key == "schema" or pointer == "/components/schemas":
                    stack.append((value, child, True))
                elif isinstance(value, (dict, list)):
                    stack.append((value, child, False))
        elif isinstance(node, list):
            for i in range(len(node) - 1, -1, -1):
                if isinstance(node[i], (dict, list)):
                    stack.append((node[i], f"{pointer}/{i}", False))


def media_types(spec: Spec, holder: Any, pointer: str) -> Iterator[tuple[str, dict[str, Any],
                                                                         str]]:
    """(media type, media type object, pointer) of a request body or response."""
    holder, pointer = spec.deref(holder, pointer)
    if not isinstance(holder, dict):
        return
    content = holder.get("content")
    if not isinstance(content, dict):
        return
    for media, obj in content.items():
        if isinstance(obj, dict):
            yield media, obj, f"{pointer}/content/{escape_pointer(media)}"
