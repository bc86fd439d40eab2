"""Python type hints from schemas: TypedDicts and aliases for `components/schemas`.

Every named schema becomes one definition in the generated `_models.py`: an object schema with
properties a `TypedDict` (class syntax when every property name is a plain identifier, the
functional form otherwise), anything else a `TypeAlias` written as a string, so definitions may
refer to each other in any order and cycles are harmless. Inline schemas become plain hints
(`dict[str, Any]`, `list[...]`).
"""

from __future__ import annotations

import builtins
import keyword
import re
from dataclasses import dataclass
from typing import Any

from specfirst.generator.loader import Spec

__all__ = ["FieldView", "ModelView", "TypeNamer", "build_models"]

_WORDS = re.compile(r"[0-9a-zA-Z]+")
_SCALARS = {"string": "str", "integer": "int", "number": "float", "boolean": "bool",
            "null": "None"}
# Names the generated module itself uses; a schema may not take them.
_RESERVED = {"Any", "Literal", "NotRequired", "TypeAlias", "TypedDict"}


def _class_name(name: str) -> str:
    words = _WORDS.findall(name)
    text = "".join(w[:1].upper() + w[1:] for w in words) or "Model"
    if text[0].isdigit():
        text = f"Model{text}"
    if keyword.iskeyword(text) or text in builtins.__dict__ or text in _RESERVED:
        text = f"{text}Model"
    return text


class TypeNamer:
    """Turns schemas into hint text; `prefix` qualifies model names (`models.` in handlers)."""

    def __init__(self, spec: Spec, prefix: str = "", *, literals: bool = True):
        self.spec = spec
        self.prefix = prefix
        self.literals = literals
        schemas = spec.document.get("components", {})
        schemas = schemas.get("schemas") if isinstance(schemas, dict) else None
        self.names: dict[str, str] = {}
        taken: set[str] = set()
        for key in (schemas or {}):
            candidate, counter = _class_name(str(key)), 2
            base = candidate
            while candidate in taken:
                candidate = f"{base}{counter}"
                counter += 1
            taken.add(candidate)
            self.names[str(key)] = candidate

    def ref_name(self, ref: str) -> str | None:
        prefix = "#/components/schemas/"
        if ref.startswith(prefix) and "/" not in ref[len(prefix):]:
            key = ref[len(prefix):].replace("~1", "/").replace("~0", "~")
            if key in self.names:
                return self.prefix + self.names[key]
        return None

    def hint(self, schema: Any, depth: int = 0) -> str:
        if depth > 8 or not isinstance(schema, dict):
            return "Any"
        ref = schema.get("$ref")
        if isinstance(ref, str):
            named = self.ref_name(ref)
            if named:
                return named
            return self.hint(self.spec.resolve(schema), depth + 1)
        enum = schema.get("enum")
        if self.literals and isinstance(enum, list) and enum and all(
                isinstance(v, (str, int, bool)) or v is None for v in enum):
            literal = f"Literal[{', '.join(repr(v) for v in schema['enum'])}]"
            return literal
        for combiner in ("oneOf", "anyOf"):
            branches = schema.get(combiner)
            if isinstance(branches, list) and branches:
                return self._union([self.hint(b, depth + 1) for b in branches])
        all_of = schema.get("allOf")
        if isinstance(all_of, list) and len(all_of) == 1:
            return self._nullable(self.hint(all_of[0], depth + 1), schema)
        types = schema.get("type")
        if isinstance(types, list):
            return self._union([self._single(t, schema, depth) for t in types
                                if isinstance(t, str)])
        if isinstance(types, str):
            return self._nullable(self._single(types, schema, depth), schema)
        if "properties" in schema or "allOf" in schema:
            return self._nullable("dict[str, Any]", schema)
        return "Any"

    def _single(self, type_name: str, schema: dict[str, Any], depth: int) -> str:
        if type_name == "array":
            return f"list[{self.hint(schema.get('items'), depth + 1)}]"
        if type_name == "object":
            return "dict[str, Any]"
        if type_name == "string" and schema.get("format") == "binary":
            return "bytes"
        return _SCALARS.get(type_name, "Any")

    @staticmethod
    def _nullable(hint: str, schema: dict[str, Any]) -> str:
        return f"{hint} | None" if schema.get("nullable") is True and hint != "Any" else hint

    @staticmethod
    def _union(hints: list[str]) -> str:
        unique: list[str] = []
        for hint in hints:
            for part in hint.split(" | ") if "[" not in hint else [hint]:
                if part not in unique:
                    unique.append(part)
        if not unique or "Any" in unique:
            return "Any"
        if "None" in unique:
            unique = [h for h in unique if h != "None"] + ["None"]
        return " | ".join(unique)


@dataclass(frozen=True)
class FieldView:
    name: str
    hint: str
    required: bool


@dataclass(frozen=True)
class ModelView:
    """One named schema: a TypedDict (`fields`) or a string alias (`alias`)."""

    name: str
    schema_name: str
    description: str
    fields: tuple[FieldView, ...] = ()
    alias: str | None = None

    @property
    def class_syntax(self) -> bool:
        return all(f.name.isidentifier() and not keyword.iskeyword(f.name) for f in self.fields)


def _object_fields(spec: Spec, namer: TypeNamer, schema: dict[str, Any]) -> tuple[FieldView, ...]:
    """The properties of an object schema, with those of `allOf` members merged in."""
    properties: dict[str, Any] = {}
    required: set[str] = set()

    def collect(node: Any, depth: int) -> None:
        node = spec.resolve(node)
        if not isinstance(node, dict) or depth > 16:
            return
        for member in node.get("allOf") or []:
            collect(member, depth + 1)
        props = node.get("properties")
        if isinstance(props, dict):
            properties.update(props)
        if isinstance(node.get("required"), list):
            required.update(r for r in node["required"] if isinstance(r, str))

    collect(schema, 0)
    return tuple(FieldView(str(name), namer.hint(prop), name in required)
                 for name, prop in properties.items())


def build_models(spec: Spec) -> list[ModelView]:
    """A view of every named schema, in document order."""
    components = spec.document.get("components")
    schemas = components.get("schemas") if isinstance(components, dict) else None
    if not isinstance(schemas, dict):
        return []
    namer = TypeNamer(spec)
    models = []
    for key, raw in schemas.items():
        name = namer.names[str(key)]
        schema = spec.resolve(raw)
        description = ""
        if isinstance(schema, dict):
            description = schema.get("description") or schema.get("title") or ""
            description = description.strip() if isinstance(description, str) else ""
        is_object = isinstance(schema, dict) and (
            "properties" in schema
            or (isinstance(schema.get("allOf"), list) and len(schema["allOf"]) > 1)
        ) and schema.get("type") in (None, "object") and "oneOf" not in schema \
            and "anyOf" not in schema
        if is_object:
            models.append(ModelView(name, str(key), description,
                                    fields=_object_fields(spec, namer, schema)))
        else:
            models.append(ModelView(name, str(key), description, alias=namer.hint(raw)))
    return models
