"""Examples: the spec's own where it has them, else generated from the schema, deterministically.

Generation is a pure function of the schema: the same spec always yields the same example. It
respects `example`, `default`, `enum`, `const`, formats and bounds; leaves out read-only properties
in requests and write-only ones in responses; and stops at cycles, depth and a node budget so a
huge or circular schema yields a small example.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any

__all__ = ["Direction", "ExampleGenerator", "dump_example"]

Direction = str  # "request" or "response"

_FORMATS: dict[str, Any] = {
    "date-time": "2024-01-15T09:30:00Z",
    "date": "2024-01-15",
    "time": "09:30:00Z",
    "duration": "P1D",
    "email": "user@example.com",
    "idn-email": "user@example.com",
    "hostname": "example.com",
    "idn-hostname": "example.com",
    "ipv4": "192.0.2.1",
    "ipv6": "2001:db8::1",
    "uri": "https://example.com",
    "url": "https://example.com",
    "uri-reference": "/example",
    "iri": "https://example.com",
    "uri-template": "https://example.com/{id}",
    "uuid": "3fa85f64-5717-4562-b3fc-2c963f66afa6",
    "byte": "ZXhhbXBsZQ==",
    "binary": "<binary>",
    "password": "********",
    "regex": "^[a-z]+$",
    "json-pointer": "/example",
}

_MAX_DEPTH = 8
_BUDGET = 400


def dump_example(value: Any) -> str:
    """An example as display text: strings as they are, everything else as indented JSON."""
    if isinstance(value, str):
        return value
    return json.dumps(value, indent=2, ensure_ascii=False, default=str)


class ExampleGenerator:
    """Examples for the schemas of one spec; `resolve(ref)` follows a local `$ref`."""

    def __init__(self, resolve: Callable[[str], Any]):
        self.resolve = resolve

    def generate(self, schema: Any, direction: Direction = "response") -> Any:
        budget = [_BUDGET]
        return self._value(schema, direction, 0, frozenset(), budget)

    def _value(self, schema: Any, direction: Direction, depth: int, seen: frozenset[str],
               budget: list[int]) -> Any:
        budget[0] -= 1
        if not isinstance(schema, dict):
            return None
        ref = schema.get("$ref")
        if isinstance(ref, str):
            if ref in seen or depth > _MAX_DEPTH or budget[0] <= 0:
                return None
            return self._value(self.resolve(ref), direction, depth, seen | {ref}, budget)
        for key in ("example", "const", "default"):
            if key in schema:
                return schema[key]
        examples = schema.get("examples")
        if isinstance(examples, list) and examples:
            return examples[0]
        enum = schema.get("enum")
        if isinstance(enum, list) and enum:
            return enum[0]
        if isinstance(schema.get("allOf"), list):
            return self._all_of(schema, direction, depth, seen, budget)
        for key in ("oneOf", "anyOf"):
            options = schema.get(key)
            if isinstance(options, list) and options:
                return self._value(options[0], direction, depth + 1, seen, budget)
        kind = schema.get("type")
        if isinstance(kind, list):
            kind = next((k for k in kind if k != "null"), "null")
        if kind is None:
            if "properties" in schema or "additionalProperties" in schema:
                kind = "object"
            elif "items" in schema:
                kind = "array"
        if kind == "object":
            return self._object(schema, direction, depth, seen, budget)
        if kind == "array":
            if depth > _MAX_DEPTH or budget[0] <= 0:
                return []
            item = self._value(schema.get("items"), direction, depth + 1, seen, budget)
            count = max(1, min(int(schema.get("minItems") or 1), 3))
            return [] if item is None else [item] * count
        if kind == "string":
            return self._string(schema)
        if kind in ("integer", "number"):
            return self._number(schema, kind)
        if kind == "boolean":
            return True
        if kind == "null":
            return None
        return None

    def _object(self, schema: Mapping[str, Any], direction: Direction, depth: int,
                seen: frozenset[str], budget: list[int]) -> dict[str, Any]:
        result: dict[str, Any] = {}
        if depth > _MAX_DEPTH:
            return result
        properties = schema.get("properties")
        raw_required = schema.get("required")
        required: list[Any] = raw_required if isinstance(raw_required, list) else []
        if isinstance(properties, dict):
            for name, sub in properties.items():
                if budget[0] <= 0 and name not in required:
                    continue
                target = sub
                if isinstance(sub, dict) and isinstance(sub.get("$ref"), str):
                    target = self.resolve(sub["$ref"])
                if isinstance(target, dict):
                    if direction == "request" and target.get("readOnly"):
                        continue
                    if direction == "response" and target.get("writeOnly"):
                        continue
                value = self._value(sub, direction, depth + 1, seen, budget)
                if value is None and isinstance(sub, dict) and sub.get("$ref") in seen:
                    continue
                result[str(name)] = value
        return result

    def _all_of(self, schema: Mapping[str, Any], direction: Direction, depth: int,
                seen: frozenset[str], budget: list[int]) -> Any:
        merged: dict[str, Any] = {}
        rest = {k: v for k, v in schema.items() if k != "allOf"}
        for part in [*schema["allOf"], rest]:
            value = self._value(part, direction, depth + 1, seen, budget)
            if isinstance(value, dict):
                merged.update(value)
            elif value is not None and not merged:
                return value
        return merged

    @staticmethod
    def _string(schema: Mapping[str, Any]) -> str:
        fmt = schema.get("format")
        value = _FORMATS.get(fmt, "string") if isinstance(fmt, str) else "string"
        min_length = schema.get("minLength")
        max_length = schema.get("maxLength")
        if isinstance(min_length, int) and len(value) < min_length:
            value = value + "x" * (min_length - len(value))
        if isinstance(max_length, int) and 0 <= max_length < len(value):
            value = value[:max_length]
        return value

    @staticmethod
    def _number(schema: Mapping[str, Any], kind: str) -> int | float:
        minimum = schema.get("minimum")
        maximum = schema.get("maximum")
        exclusive = schema.get("exclusiveMinimum")
        value: float = 0
        if isinstance(exclusive, int | float) and not isinstance(exclusive, bool):
            value = exclusive + 1
        elif isinstance(minimum, int | float):
            value = minimum + (1 if exclusive is True else 0)
        elif isinstance(maximum, int | float) and maximum < 0:
            value = maximum
        multiple = schema.get("multipleOf")
        if isinstance(multiple, int | float) and multiple > 0 and value % multiple:
            value = (value // multiple + 1) * multiple
        if kind == "integer":
            return int(value)
        return float(value)
