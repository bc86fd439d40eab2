"""A schema reduced to what a client can observe, so that equal meanings compare equal.

`$ref`s are followed (a reference with sibling keywords is read as `allOf` of the target and the
siblings), `allOf` members are merged, OpenAPI 3.0 `nullable: true`, 3.1 type arrays with
`"null"`, `type: "null"` alternatives of `oneOf`/`anyOf` and `null` in an enum all become one
`nullable` flag, and 3.0 boolean / 3.1 numeric `exclusiveMinimum`/`exclusiveMaximum` become one
bound with an `exclusive` flag.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from typing import Any

from specfirst.generator.loader import Spec, escape_pointer

__all__ = ["Bound", "NodeRef", "SchemaView", "child", "deref", "schema_view"]

# Keywords that describe rather than constrain: a `$ref` with only these beside it is the target.
ANNOTATIONS = frozenset({"description", "summary", "title", "example", "examples", "$comment",
                         "externalDocs", "xml"})
_MAX_DEPTH = 48


@dataclass(frozen=True)
class NodeRef:
    """A schema node as written, and the JSON pointer where it is written."""

    node: Any
    pointer: str


@dataclass(frozen=True)
class Bound:
    value: float
    exclusive: bool = False


def canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, default=str)


@dataclass
class SchemaView:
    pointer: str
    types: frozenset[str] | None = None  # None: any type; never contains "null"
    nullable: bool = False
    format: str | None = None
    enum: dict[str, Any] | None = None  # canonical text -> value, null excluded
    maximum: Bound | None = None
    minimum: Bound | None = None
    lengths: dict[str, int] = field(default_factory=dict)  # maxLength, minLength, maxItems, ...
    multiple_of: float | None = None
    patterns: frozenset[str] = frozenset()
    unique_items: bool = False
    default: str | None = None  # canonical text of the default
    properties: dict[str, list[NodeRef]] = field(default_factory=dict)
    required: frozenset[str] = frozenset()
    additional: bool | list[NodeRef] | None = None  # None: not said (allowed)
    items: list[NodeRef] = field(default_factory=list)
    one_of: list[NodeRef] = field(default_factory=list)
    any_of: list[NodeRef] = field(default_factory=list)
    discriminator: str | None = None
    mapping: dict[str, str] = field(default_factory=dict)  # value -> name or reference
    mapping_at: dict[str, str] = field(default_factory=dict)  # value -> where it is written
    read_only: bool = False
    write_only: bool = False
    deprecated: bool = False
    description: str | None = None
    prefix_items: list[NodeRef] = field(default_factory=list)
    items_closed: bool = False  # `items: false`: nothing after the prefixItems
    pattern_properties: dict[str, list[NodeRef]] = field(default_factory=dict)
    dependent_required: dict[str, frozenset[str]] = field(default_factory=dict)
    excluded: list[NodeRef] = field(default_factory=list)  # `not`
    conditions: list[NodeRef] = field(default_factory=list)  # {if, then, else} as written
    content_encoding: str | None = None
    content_media_type: str | None = None
    dependent_schemas: dict[str, list[NodeRef]] = field(default_factory=dict)
    property_names: list[NodeRef] = field(default_factory=list)
    contains: list[NodeRef] = field(default_factory=list)  # minContains/maxContains in lengths
    unevaluated_properties: bool | list[NodeRef] | None = None  # like `additional`
    unevaluated_items: bool | list[NodeRef] | None = None

    def merge(self, other: SchemaView) -> SchemaView:
        """Both at once (`allOf`): the narrower of each constraint, the union of properties."""
        types = self.types
        if types is None:
            types = other.types
        elif other.types is not None:
            types = _intersect_types(types, other.types)
        enum = self.enum
        if enum is None:
            enum = other.enum
        elif other.enum is not None:
            enum = {k: v for k, v in enum.items() if k in other.enum}
        properties = {name: list(refs) for name, refs in self.properties.items()}
        for name, refs in other.properties.items():
            properties.setdefault(name, []).extend(refs)
        patterns = {name: list(refs) for name, refs in self.pattern_properties.items()}
        for name, refs in other.pattern_properties.items():
            patterns.setdefault(name, []).extend(refs)
        dependent_schemas = {name: list(refs) for name, refs in self.dependent_schemas.items()}
        for name, refs in other.dependent_schemas.items():
            dependent_schemas.setdefault(name, []).extend(refs)
        dependent = dict(self.dependent_required)
        for name, names in other.dependent_required.items():
            dependent[name] = dependent.get(name, frozenset()) | names
        lengths = dict(self.lengths)
        for key, value in other.lengths.items():
            mine = lengths.get(key)
            if mine is None:
                lengths[key] = value
            else:
                lengths[key] = max(mine, value) if key.startswith("min") else min(mine, value)
        return replace(
            self,
            types=types,
            format=self.format or other.format,
            enum=enum,
            maximum=_tighter(self.maximum, other.maximum, upper=True),
            minimum=_tighter(self.minimum, other.minimum, upper=False),
            lengths=lengths,
            multiple_of=self.multiple_of or other.multiple_of,
            patterns=self.patterns | other.patterns,
            unique_items=self.unique_items or other.unique_items,
            default=self.default if self.default is not None else other.default,
            properties=properties,
            required=self.required | other.required,
            additional=_narrowest(self.additional, other.additional),
            items=[*self.items, *other.items],
            one_of=self.one_of or other.one_of,
            any_of=self.any_of or other.any_of,
            discriminator=self.discriminator or other.discriminator,
            mapping={**other.mapping, **self.mapping},
            mapping_at={**other.mapping_at, **self.mapping_at},
            read_only=self.read_only or other.read_only,
            write_only=self.write_only or other.write_only,
            deprecated=self.deprecated or other.deprecated,
            description=self.description or other.description,
            prefix_items=self.prefix_items or other.prefix_items,
            items_closed=self.items_closed or other.items_closed,
            pattern_properties=patterns,
            dependent_required=dependent,
            excluded=[*self.excluded, *other.excluded],
            conditions=[*self.conditions, *other.conditions],
            content_encoding=self.content_encoding or other.content_encoding,
            content_media_type=self.content_media_type or other.content_media_type,
            dependent_schemas=dependent_schemas,
            property_names=[*self.property_names, *other.property_names],
            contains=[*self.contains, *other.contains],
            unevaluated_properties=_narrowest(self.unevaluated_properties,
                                              other.unevaluated_properties),
            unevaluated_items=_narrowest(self.unevaluated_items, other.unevaluated_items),
        )


def _narrowest(a: bool | list[NodeRef] | None,
               b: bool | list[NodeRef] | None) -> bool | list[NodeRef] | None:
    """Two `additionalProperties`-like values at once: false wins, schemas add up."""
    if a is False or b is False:
        return False
    if isinstance(a, list) or isinstance(b, list):
        return [*(a if isinstance(a, list) else []), *(b if isinstance(b, list) else [])]
    return a if a is not None else b


def _intersect_types(a: frozenset[str], b: frozenset[str]) -> frozenset[str]:
    both = set(a & b)
    if "integer" in a and "number" in b or "number" in a and "integer" in b:
        both.add("integer")
    return frozenset(both)


def _tighter(a: Bound | None, b: Bound | None, *, upper: bool) -> Bound | None:
    if a is None or b is None:
        return a or b
    if a.value == b.value:
        return Bound(a.value, a.exclusive or b.exclusive)
    if upper:
        return a if a.value < b.value else b
    return a if a.value > b.value else b


def deref(spec: Spec, ref: NodeRef, depth: int = _MAX_DEPTH) -> NodeRef:
    """Follow `$ref`s with nothing but annotations beside them; the pointer follows along."""
    return NodeRef(*spec.deref(ref.node, ref.pointer, depth=depth,
                               when=lambda node: set(node) - {"$ref"} <= ANNOTATIONS))


def child(spec: Spec, parent: NodeRef, key: str) -> NodeRef | None:
    """The object under `key` of an object node, its `$ref`s followed; None when absent."""
    if not isinstance(parent.node, dict) or key not in parent.node:
        return None
    ref = deref(spec, NodeRef(parent.node[key], f"{parent.pointer}/{escape_pointer(key)}"))
    return ref if isinstance(ref.node, dict) else None


def schema_view(spec: Spec, ref: NodeRef, depth: int = 0) -> SchemaView:
    """The observable meaning of the schema at `ref` (see the module docstring)."""
    ref = deref(spec, ref)
    node, pointer = ref.node, ref.pointer
    if not isinstance(node, dict) or depth > _MAX_DEPTH:
        return SchemaView(pointer)
    if isinstance(node.get("$ref"), str):  # a reference with constraints beside it
        target = schema_view(spec, NodeRef({"$ref": node["$ref"]}, pointer), depth + 1)
        own = _own({k: v for k, v in node.items() if k != "$ref"}, pointer, spec.is_v31)
        return replace(own.merge(target), pointer=pointer,
                       nullable=own.nullable or target.nullable)
    view = _own(node, pointer, spec.is_v31)
    members = node.get("allOf")
    if isinstance(members, list):
        member_views = [schema_view(spec, NodeRef(m, f"{pointer}/allOf/{i}"), depth + 1)
                        for i, m in enumerate(members)]
        own_nullable = view.nullable
        for member in member_views:
            view = view.merge(member)
        view.nullable = own_nullable or (bool(member_views)
                                         and all(m.nullable for m in member_views))
    for keyword in ("oneOf", "anyOf"):
        alternatives = node.get(keyword)
        if not isinstance(alternatives, list):
            continue
        kept = []
        for i, alternative in enumerate(alternatives):
            alt = NodeRef(alternative, f"{pointer}/{keyword}/{i}")
            if _is_null_schema(deref(spec, alt).node):
                view.nullable = True
            else:
                kept.append(alt)
        if len(kept) == 1 and len(alternatives) > 1:  # `X or null`: X, nullable
            nullable = view.nullable
            view = view.merge(schema_view(spec, kept[0], depth + 1))
            view.nullable = nullable
            kept = []
        if keyword == "oneOf":
            view.one_of = kept
        else:
            view.any_of = kept
    if view.types is None:
        if view.properties or view.additional is not None or view.required \
                or view.pattern_properties or view.dependent_required \
                or view.dependent_schemas or view.property_names \
                or view.unevaluated_properties is not None:
            view.types = frozenset({"object"})
        elif view.items or view.prefix_items or view.contains \
                or view.unevaluated_items is not None:
            view.types = frozenset({"array"})
        elif view.enum:  # `enum: [a, b]` alone allows only the types of its values
            view.types = frozenset(_json_type(v) for v in view.enum.values())
    return view


def _json_type(value: Any) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    return "array" if isinstance(value, list) else "object"


def _is_null_schema(node: Any) -> bool:
    if not isinstance(node, dict):
        return False
    kind = node.get("type")
    return kind == "null" or kind == ["null"] or node.get("enum") == [None]


def _number(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def _own(node: dict[str, Any], pointer: str, v31: bool) -> SchemaView:
    """The schema's own keywords, without following anything."""
    view = SchemaView(pointer)
    kind = node.get("type")
    if isinstance(kind, str):
        kind = [kind]
    if isinstance(kind, list):
        names = {k for k in kind if isinstance(k, str)}
        view.nullable = "null" in names
        view.types = frozenset(names - {"null"}) or None
        if not view.types and view.nullable:
            view.types = frozenset()
    if node.get("nullable") is True:
        view.nullable = True
    if isinstance(node.get("format"), str):
        view.format = node["format"]
    values: list[Any] | None = None
    if isinstance(node.get("enum"), list):
        values = node["enum"]
    if "const" in node:
        values = [node["const"]]
    if values is not None:
        if None in values:
            view.nullable = True
        view.enum = {canonical(v): v for v in values if v is not None}
    view.maximum = _bound(node, "maximum", "exclusiveMaximum", upper=True)
    view.minimum = _bound(node, "minimum", "exclusiveMinimum", upper=False)
    for key in ("maxLength", "minLength", "maxItems", "minItems", "maxProperties",
                "minProperties", "maxContains", "minContains"):
        number = _number(node.get(key))
        if number is not None:
            view.lengths[key] = int(number)
    view.multiple_of = _number(node.get("multipleOf"))
    if isinstance(node.get("pattern"), str):
        view.patterns = frozenset({node["pattern"]})
    view.unique_items = node.get("uniqueItems") is True
    if "default" in node:
        view.default = canonical(node["default"])
    properties = node.get("properties")
    if isinstance(properties, dict):
        view.properties = {
            name: [NodeRef(value, f"{pointer}/properties/{escape_pointer(name)}")]
            for name, value in properties.items()}
    required = node.get("required")
    if isinstance(required, list):
        view.required = frozenset(r for r in required if isinstance(r, str))
    view.additional = _open_or_closed(node, "additionalProperties", pointer)
    items = node.get("items")
    if isinstance(items, dict):
        view.items = [NodeRef(items, f"{pointer}/items")]
    view.items_closed = items is False
    _own_2020(node, pointer, view)
    discriminator = node.get("discriminator")
    if isinstance(discriminator, dict) and isinstance(discriminator.get("propertyName"), str):
        view.discriminator = discriminator["propertyName"]
        mapping = discriminator.get("mapping")
        if isinstance(mapping, dict):
            view.mapping = {str(k): str(v) for k, v in mapping.items()}
            view.mapping_at = {
                str(k): f"{pointer}/discriminator/mapping/{escape_pointer(str(k))}"
                for k in mapping}
    view.read_only = node.get("readOnly") is True
    view.write_only = node.get("writeOnly") is True
    view.deprecated = node.get("deprecated") is True
    if isinstance(node.get("description"), str):
        view.description = node["description"]
    return view


def _own_2020(node: dict[str, Any], pointer: str, view: SchemaView) -> None:
    """The JSON Schema 2020-12 keywords of OpenAPI 3.1 (read in 3.0 documents as well)."""
    prefix = node.get("prefixItems")
    if isinstance(prefix, list):
        view.prefix_items = [NodeRef(item, f"{pointer}/prefixItems/{i}")
                             for i, item in enumerate(prefix)]
    patterns = node.get("patternProperties")
    if isinstance(patterns, dict):
        view.pattern_properties = {
            str(pattern): [NodeRef(value, f"{pointer}/patternProperties/{escape_pointer(pattern)}")]
            for pattern, value in patterns.items()}
    dependent = node.get("dependentRequired")
    if isinstance(dependent, dict):
        view.dependent_required = {
            str(name): frozenset(n for n in names if isinstance(n, str))
            for name, names in dependent.items() if isinstance(names, list)}
    if "not" in node:
        view.excluded = [NodeRef(node["not"], f"{pointer}/not")]
    if "if" in node:
        view.conditions = [NodeRef({k: node[k] for k in ("if", "then", "else") if k in node},
                                   pointer)]
    for key, attribute in (("contentEncoding", "content_encoding"),
                           ("contentMediaType", "content_media_type")):
        if isinstance(node.get(key), str):
            setattr(view, attribute, node[key])
    dependent_schemas = node.get("dependentSchemas")
    if isinstance(dependent_schemas, dict):
        view.dependent_schemas = {
            str(name): [NodeRef(value, f"{pointer}/dependentSchemas/{escape_pointer(name)}")]
            for name, value in dependent_schemas.items() if isinstance(value, dict | bool)}
    for key, attribute in (("propertyNames", "property_names"), ("contains", "contains")):
        if isinstance(node.get(key), dict):
            setattr(view, attribute, [NodeRef(node[key], f"{pointer}/{key}")])
    view.unevaluated_properties = _open_or_closed(node, "unevaluatedProperties", pointer)
    view.unevaluated_items = _open_or_closed(node, "unevaluatedItems", pointer)


def _open_or_closed(node: dict[str, Any], key: str, pointer: str) -> bool | list[NodeRef] | None:
    """`additionalProperties` and its kind: false (closed), true or {} (open), a schema, or None
    when not written."""
    value = node.get(key)
    if value is False or value is True:
        return value
    if isinstance(value, dict):
        return True if not value else [NodeRef(value, f"{pointer}/{key}")]
    return None


def _bound(node: dict[str, Any], plain: str, exclusive: str, *, upper: bool) -> Bound | None:
    value = _number(node.get(plain))
    flag = node.get(exclusive)
    bound = None if value is None else Bound(value, flag is True)
    numeric = _number(flag)
    if numeric is not None:  # 3.1: exclusiveMaximum is itself the bound
        bound = _tighter(bound, Bound(numeric, True), upper=upper)
    return bound
