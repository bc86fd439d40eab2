"""Schemas → `SchemaView` trees: nested objects, compositions, constraints, cut where needed.

A schema under `#/components/schemas/<Name>` is shown once, in full, as a named schema; wherever
it is used inside another schema it becomes a reference (`SchemaView.ref`) — a link, which the
HTML page expands on demand. So circular schemas render finitely and a large spec's page stays
small. Inline (anonymous) nesting is expanded up to `MAX_DEPTH` levels, then cut.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any

from specfirst.generator.docs.views import ExternalDocsView, PropertyView, SchemaView

__all__ = ["MAX_DEPTH", "MAX_NODES", "SchemaBuilder", "display_value", "schema_names"]

MAX_DEPTH = 24
MAX_NODES = 5000
SCHEMA_PREFIX = "#/components/schemas/"
# Keys an `allOf` part does not pass on to the merged schema: they describe the part itself.
_OWN_KEYS = frozenset({"properties", "required", "allOf", "description", "title", "externalDocs"})

_CONSTRAINTS: tuple[tuple[str, str], ...] = (
    ("minLength", "min length {}"),
    ("maxLength", "max length {}"),
    ("pattern", "pattern {}"),
    ("minItems", "min items {}"),
    ("maxItems", "max items {}"),
    ("uniqueItems", "unique items"),
    ("minProperties", "min properties {}"),
    ("maxProperties", "max properties {}"),
    ("multipleOf", "multiple of {}"),
)


def display_value(value: Any) -> str:
    """A JSON value as compact, deterministic text (`"a"`, `1`, `null`, `{"k": 1}`)."""
    return json.dumps(value, ensure_ascii=False, sort_keys=False, default=str)


def schema_names(document: Mapping[str, Any]) -> dict[str, str]:
    """`#/components/schemas/<Name>` → Name, for every named schema."""
    components = document.get("components")
    schemas = components.get("schemas") if isinstance(components, dict) else None
    if not isinstance(schemas, dict):
        return {}
    return {SCHEMA_PREFIX + _escape(str(name)): str(name) for name in schemas}


def _escape(token: str) -> str:
    return token.replace("~", "~0").replace("/", "~1")


def _type_label(schema: Mapping[str, Any]) -> tuple[str, bool]:
    raw = schema.get("type")
    nullable = bool(schema.get("nullable"))
    if isinstance(raw, list):
        names = [str(t) for t in raw]
        if "null" in names:
            nullable = True
            names = [t for t in names if t != "null"]
        return " | ".join(names), nullable
    if isinstance(raw, str):
        if raw == "null":
            return "null", True
        return raw, nullable
    if "properties" in schema or "additionalProperties" in schema:
        return "object", nullable
    if "items" in schema:
        return "array", nullable
    if "const" in schema:
        return type(schema["const"]).__name__.replace("str", "string"), nullable
    return "", nullable


def _bounds(schema: Mapping[str, Any]) -> list[str]:
    out: list[str] = []
    minimum, maximum = schema.get("minimum"), schema.get("maximum")
    exclusive_min, exclusive_max = schema.get("exclusiveMinimum"), schema.get("exclusiveMaximum")
    if isinstance(exclusive_min, bool | type(None)):
        if minimum is not None:
            out.append(f"{'>' if exclusive_min else '>='} {minimum}")
    else:
        out.append(f"> {exclusive_min}")
    if isinstance(exclusive_max, bool | type(None)):
        if maximum is not None:
            out.append(f"{'<' if exclusive_max else '<='} {maximum}")
    else:
        out.append(f"< {exclusive_max}")
    return out


class SchemaBuilder:
    """Builds `SchemaView`s for one spec; `anchor_for(name)` gives a named schema's link target."""

    def __init__(self, document: Mapping[str, Any], anchor_for: Callable[[str], str]):
        self.document = document
        self.names = schema_names(document)
        self.anchor_for = anchor_for
        self._remaining = MAX_NODES

    def resolve(self, ref: str) -> Any:
        node: Any = self.document
        for token in ref[2:].split("/") if ref.startswith("#/") else []:
            key = token.replace("~1", "/").replace("~0", "~")
            if isinstance(node, dict) and key in node:
                node = node[key]
            elif isinstance(node, list) and key.isdigit() and int(key) < len(node):
                node = node[int(key)]
            else:
                return {}
        return node

    def named(self, name: str) -> SchemaView:
        """A component schema in full (its nested named schemas as references)."""
        ref = SCHEMA_PREFIX + _escape(name)
        return self.build(self.resolve(ref), expand=True, seen=frozenset({ref}))

    def build(self, schema: Any, *, expand: bool = True,
              seen: frozenset[str] = frozenset()) -> SchemaView:
        """A view of `schema`; a top-level reference to a named schema is expanded if `expand`.

        At most `MAX_NODES` nodes are built per call: references that are not named schemas
        are expanded in place, and a spec could chain them to grow exponentially.
        """
        self._remaining = MAX_NODES
        return self._build(schema, expand=expand, depth=0, seen=seen)

    def _build(self, schema: Any, *, expand: bool, depth: int,
               seen: frozenset[str]) -> SchemaView:
        self._remaining -= 1
        if self._remaining < 0:
            return SchemaView(type="object", cut=True)
        if isinstance(schema, bool):
            return SchemaView(type="any" if schema else "never")
        if not isinstance(schema, dict):
            return SchemaView(type="any")
        ref = schema.get("$ref")
        if isinstance(ref, str):
            return self._reference(schema, ref, expand=expand, depth=depth, seen=seen)
        if depth > MAX_DEPTH:
            return SchemaView(type=_type_label(schema)[0] or "object", cut=True)
        return self._inline(schema, depth, seen)

    def _reference(self, schema: Mapping[str, Any], ref: str, *, expand: bool, depth: int,
                   seen: frozenset[str]) -> SchemaView:
        target = self.resolve(ref)
        name = self.names.get(ref)
        description = str(schema.get("description") or "")
        if name is not None and (not expand or ref in seen or depth > 0):
            label, nullable = _type_label(target) if isinstance(target, dict) else ("", False)
            if isinstance(target, dict):
                description = description or str(target.get("description") or "")
            return SchemaView(type=label or "object", ref=name, ref_anchor=self.anchor_for(name),
                              description=description, nullable=nullable,
                              cut=ref in seen)
        if ref in seen or depth > MAX_DEPTH:
            return SchemaView(type="object", cut=True)
        view = self._build(target, expand=True, depth=depth, seen=seen | {ref})
        if description and not view.description:
            view = _replace(view, description=description)
        if name is not None and view.named is None:
            view = _replace(view, named=name, named_anchor=self.anchor_for(name))
        return view

    def _inline(self, schema: Mapping[str, Any], depth: int, seen: frozenset[str]) -> SchemaView:
        label, nullable = _type_label(schema)
        merged, extends = self._merge_all_of(schema, seen)
        if merged is not schema:
            label2, nullable2 = _type_label(merged)
            label, nullable = label or label2, nullable or nullable2
        child = depth + 1
        properties = tuple(
            PropertyView(name=str(name), required=name in set(_list(merged.get("required"))),
                         schema=self._build(value, expand=False, depth=child, seen=seen))
            for name, value in _dict(merged.get("properties")).items()
        )
        additional_raw = merged.get("additionalProperties")
        additional = None
        if isinstance(additional_raw, dict):
            additional = self._build(additional_raw, expand=False, depth=child, seen=seen)
        items_raw = merged.get("items")
        items = self._build(items_raw, expand=False, depth=child, seen=seen) \
            if isinstance(items_raw, dict) else None
        variant_kind = ""
        variants: tuple[SchemaView, ...] = ()
        for kind in ("oneOf", "anyOf", "allOf"):
            options = merged.get(kind)
            if isinstance(options, list) and options:
                variant_kind = kind
                variants = tuple(self._build(option, expand=False, depth=child, seen=seen)
                                 for option in options)
                break
        discriminator = merged.get("discriminator")
        constraints = _bounds(merged) + [
            text.format(merged[key]) if "{}" in text else text
            for key, text in _CONSTRAINTS if key in merged and merged[key] is not False
        ]
        if "const" in merged:
            constraints.append(f"const {display_value(merged['const'])}")
        enum = merged.get("enum")
        return SchemaView(
            type=label or ("object" if properties else ""),
            title=str(merged.get("title") or ""),
            description=str(merged.get("description") or ""),
            format=str(merged.get("format") or ""),
            nullable=nullable or (isinstance(enum, list) and None in enum),
            read_only=bool(merged.get("readOnly")),
            write_only=bool(merged.get("writeOnly")),
            deprecated=bool(merged.get("deprecated")),
            enum=tuple(display_value(v) for v in enum) if isinstance(enum, list) else (),
            default=display_value(merged["default"]) if "default" in merged else None,
            constraints=tuple(constraints),
            properties=properties,
            additional=additional,
            closed=additional_raw is False,
            items=items,
            variant_kind=variant_kind,
            variants=variants,
            discriminator=str(discriminator.get("propertyName") or "")
            if isinstance(discriminator, dict) else "",
            extends=tuple((name, self.anchor_for(name)) for name in extends),
            external_docs=ExternalDocsView.from_spec(merged.get("externalDocs")),
        )

    def _merge_all_of(self, schema: Mapping[str, Any],
                      seen: frozenset[str]) -> tuple[Mapping[str, Any], list[str]]:
        """`allOf` of object schemas folded into one schema (as Redoc does); else unchanged."""
        parts = schema.get("allOf")
        if not isinstance(parts, list) or not parts:
            return schema, []
        self._remaining -= len(parts)
        if self._remaining < 0:
            return schema, []
        extends: list[str] = []
        resolved: list[Mapping[str, Any]] = []
        for part in parts:
            visited = set(seen)
            while isinstance(part, dict) and isinstance(part.get("$ref"), str):
                ref = part["$ref"]
                if ref in visited:
                    return schema, []
                visited.add(ref)
                if ref in self.names:
                    extends.append(self.names[ref])
                part = self.resolve(ref)
            if not isinstance(part, dict) or any(k in part for k in ("oneOf", "anyOf")):
                return schema, []
            inner, inner_extends = self._merge_all_of(part, frozenset(visited))
            if inner is part and "allOf" in part:
                return schema, []
            resolved.append(inner)
        merged: dict[str, Any] = {k: v for k, v in schema.items() if k != "allOf"}
        properties: dict[str, Any] = {}
        required: list[Any] = []
        for part in [*resolved, schema]:
            properties.update(_dict(part.get("properties")))
            required.extend(r for r in _list(part.get("required")) if r not in required)
            for key, value in part.items():
                if key not in _OWN_KEYS:
                    merged.setdefault(key, value)
        if properties:
            merged["properties"] = properties
        if required:
            merged["required"] = required
        return merged, extends


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _replace(view: SchemaView, **changes: Any) -> SchemaView:
    from dataclasses import replace

    return replace(view, **changes)
