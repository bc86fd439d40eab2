"""Values that satisfy a schema, from a seeded random source.

`ValueGenerator.generate` follows local `$ref`s, merges `allOf`, picks a branch of
`oneOf`/`anyOf` (setting the discriminator), and respects types (3.1 type arrays, `nullable`),
formats, enums and `const`, numeric bounds (3.0 boolean and 3.1 numeric exclusive bounds),
`multipleOf`, string lengths and patterns, array sizes and `uniqueItems`, required properties,
`additionalProperties`, `min/maxProperties`, and `readOnly`/`writeOnly` for the direction the
value travels. Callers validate the result (`MockValidator`) and retry: a generator is a
best effort, the validator is the guarantee.
"""

from __future__ import annotations

import base64
import decimal
import json
import math
import random
import re
import string
import uuid
from typing import Any

from specfirst.server.mock.regex import string_matching

__all__ = ["GenerationError", "ValueGenerator"]

_MAX_DEPTH = 12
_SHALLOW = 4  # below this depth only required properties and minimum array sizes
_WORDS = ("alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel", "india")


def _int(schema: dict[str, Any], key: str) -> int | None:
    value = schema.get(key)
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _dict(schema: dict[str, Any], key: str) -> dict[str, Any]:
    value = schema.get(key)
    return value if isinstance(value, dict) else {}


def _list(schema: dict[str, Any], key: str) -> list[Any]:
    value = schema.get(key)
    return value if isinstance(value, list) else []


def _matches(pattern: str, text: str) -> bool:
    try:
        return re.search(pattern, text) is not None
    except (re.error, RecursionError, OverflowError):
        return False


class GenerationError(ValueError):
    """The generator could not produce a value for a schema (with the reason)."""


def _merge(target: dict[str, Any], extra: dict[str, Any]) -> dict[str, Any]:
    """A schema that asks for both `target` and `extra` (good enough for allOf members)."""
    merged = dict(target)
    for key, value in extra.items():
        if key not in merged:
            merged[key] = value
        elif key == "properties" and isinstance(value, dict):
            props = dict(merged[key])
            for name, schema in value.items():
                props[name] = {"allOf": [props[name], schema]} if name in props else schema
            merged[key] = props
        elif key == "required" and isinstance(value, list):
            merged[key] = list(dict.fromkeys(list(merged[key]) + value))
        elif key in ("minimum", "minLength", "minItems", "minProperties", "exclusiveMinimum") \
                and isinstance(value, (int, float)) and not isinstance(value, bool):
            merged[key] = max(merged[key], value) if isinstance(merged[key], (int, float)) \
                else value
        elif key in ("maximum", "maxLength", "maxItems", "maxProperties", "exclusiveMaximum") \
                and isinstance(value, (int, float)) and not isinstance(value, bool):
            merged[key] = min(merged[key], value) if isinstance(merged[key], (int, float)) \
                else value
        elif key == "enum" and isinstance(value, list) and isinstance(merged[key], list):
            merged[key] = [v for v in merged[key] if v in value]
        elif key == "type":
            mine = merged[key] if isinstance(merged[key], list) else [merged[key]]
            theirs = value if isinstance(value, list) else [value]
            both = [t for t in mine if t in theirs or (t == "integer" and "number" in theirs)]
            both += [t for t in theirs if t == "integer" and "number" in mine and t not in both]
            merged[key] = both if len(both) != 1 else both[0]
        elif key in ("allOf", "oneOf", "anyOf") and isinstance(value, list):
            merged["allOf"] = list(merged.get("allOf", [])) + [{key: value}] \
                if key != "allOf" else list(merged.get("allOf", [])) + value
        elif key == "items" and isinstance(value, dict) and isinstance(merged[key], dict):
            merged[key] = {"allOf": [merged[key], value]}
    return merged


class ValueGenerator:
    """Generates values for the schemas of one spec document."""

    def __init__(self, document: dict[str, Any], rng: random.Random, *, is_v31: bool,
                 direction: str = "response", use_examples: bool = True):
        self.document = document
        self.rng = rng
        self.is_v31 = is_v31
        self.direction = direction
        self.use_examples = use_examples

    # -- schema plumbing -------------------------------------------------------------------
    def resolve(self, schema: Any) -> Any:
        seen = 0
        while isinstance(schema, dict) and isinstance(schema.get("$ref"), str) and seen < 32:
            ref = schema["$ref"]
            if not ref.startswith("#"):
                raise GenerationError(f"cannot follow $ref {ref!r}")
            target: Any = self.document
            for token in ref[1:].lstrip("/").split("/") if ref != "#" else []:
                token = token.replace("~1", "/").replace("~0", "~")
                if not isinstance(target, dict) or token not in target:
                    raise GenerationError(f"$ref {ref!r} points nowhere")
                target = target[token]
            siblings = {k: v for k, v in schema.items() if k != "$ref"}
            schema = _merge(target, siblings) if siblings and isinstance(target, dict) \
                else target
            seen += 1
        return schema

    def flatten(self, schema: dict[str, Any], depth: int) -> dict[str, Any]:
        """Merge `allOf` members (recursively) into one schema."""
        if not isinstance(schema.get("allOf"), list):
            return schema
        merged = {k: v for k, v in schema.items() if k != "allOf"}
        for member in schema["allOf"]:
            member = self.resolve(member)
            if isinstance(member, dict):
                merged = _merge(merged, self.flatten(member, depth + 1) if depth < _MAX_DEPTH
                                else member)
        return self.flatten(merged, depth + 1) if "allOf" in merged and depth < _MAX_DEPTH \
            else merged

    # -- entry point -------------------------------------------------------------------------
    def generate(self, schema: Any, depth: int = 0) -> Any:
        if depth > _MAX_DEPTH:
            raise GenerationError("schema nests too deeply (recursive without an exit)")
        if schema is True or schema is None:
            return self.word()
        if schema is False:
            raise GenerationError("schema `false` accepts nothing")
        schema = self.resolve(schema)
        if not isinstance(schema, dict):
            return self.word()
        schema = self.flatten(schema, 0)
        if "const" in schema:
            return schema["const"]
        if isinstance(schema.get("enum"), list):
            choices = schema["enum"]
            if not choices:
                raise GenerationError("empty enum")
            non_null = [c for c in choices if c is not None]
            return self.rng.choice(non_null or choices)
        if self.use_examples:
            example = self.schema_example(schema)
            if example is not _NONE:
                return example
        for combiner in ("oneOf", "anyOf"):
            branches = schema.get(combiner)
            if isinstance(branches, list) and branches:
                return self.branch(schema, combiner, branches, depth)
        return self.typed(schema, depth)

    def schema_example(self, schema: dict[str, Any]) -> Any:
        if "example" in schema and not self.is_v31:
            return schema["example"]
        examples = schema.get("examples")
        if isinstance(examples, list) and examples:
            return examples[0]
        if "example" in schema:
            return schema["example"]
        if "default" in schema:
            return schema["default"]
        return _NONE

    def branch(self, schema: dict[str, Any], combiner: str, branches: list[Any],
               depth: int) -> Any:
        index = self.rng.randrange(len(branches))
        chosen = branches[index]
        rest = {k: v for k, v in schema.items() if k != combiner}
        target = self.resolve(chosen)
        merged = _merge(rest, target) if isinstance(target, dict) else target
        value = self.generate(merged, depth + 1)
        discriminator = schema.get("discriminator")
        if isinstance(discriminator, dict) and isinstance(value, dict):
            prop = discriminator.get("propertyName")
            ref = chosen.get("$ref") if isinstance(chosen, dict) else None
            if isinstance(prop, str) and isinstance(ref, str):
                mapping = discriminator.get("mapping") or {}
                names = [k for k, v in mapping.items() if v == ref or v == ref.rsplit("/", 1)[-1]]
                value[prop] = names[0] if names else ref.rsplit("/", 1)[-1]
        return value

    def types_of(self, schema: dict[str, Any]) -> list[str]:
        declared = schema.get("type")
        if isinstance(declared, str):
            return [declared]
        if isinstance(declared, list) and declared:
            return [t for t in declared if isinstance(t, str)]
        if "properties" in schema or "additionalProperties" in schema or "required" in schema:
            return ["object"]
        if "items" in schema or "prefixItems" in schema:
            return ["array"]
        if any(k in schema for k in ("minimum", "maximum", "multipleOf")):
            return ["number"]
        return ["string"]

    def typed(self, schema: dict[str, Any], depth: int) -> Any:
        types = self.types_of(schema)
        non_null = [t for t in types if t != "null"]
        if not non_null:
            return None
        kind = non_null[0] if len(non_null) == 1 else self.rng.choice(non_null)
        make = getattr(self, f"make_{kind}", None)
        if make is None:
            raise GenerationError(f"unknown type {kind!r}")
        return make(schema, depth)

    # -- scalars -------------------------------------------------------------------------------
    def word(self) -> str:
        return f"{self.rng.choice(_WORDS)}{self.rng.randint(1, 999)}"

    def make_boolean(self, schema: dict[str, Any], depth: int) -> bool:
        return self.rng.random() < 0.5

    def make_null(self, schema: dict[str, Any], depth: int) -> None:
        return None

    def bounds(self, schema: dict[str, Any], integer: bool) -> tuple[float, float]:
        low, high = schema.get("minimum"), schema.get("maximum")
        ex_low, ex_high = schema.get("exclusiveMinimum"), schema.get("exclusiveMaximum")
        step = 1 if integer else 0.01
        lo = float(low) if isinstance(low, (int, float)) and not isinstance(low, bool) else None
        hi = float(high) if isinstance(high, (int, float)) and not isinstance(high, bool) \
            else None
        if ex_low is True and lo is not None:
            lo += step
        elif isinstance(ex_low, (int, float)) and not isinstance(ex_low, bool):
            lo = max(lo if lo is not None else -math.inf, float(ex_low) + step)
        if ex_high is True and hi is not None:
            hi -= step
        elif isinstance(ex_high, (int, float)) and not isinstance(ex_high, bool):
            hi = min(hi if hi is not None else math.inf, float(ex_high) - step)
        if schema.get("format") == "int32":
            lo = max(lo if lo is not None else -(2 ** 31), -(2 ** 31))
            hi = min(hi if hi is not None else 2 ** 31 - 1, 2 ** 31 - 1)
        if lo is None and hi is None:
            lo, hi = 1.0, 1000.0
        elif lo is None:
            assert hi is not None
            lo = min(hi - 1000, 1.0) if hi >= 1 else hi - 1000
        elif hi is None:
            hi = lo + 1000
        if lo > hi:
            raise GenerationError(f"no number between {lo} and {hi}")
        return lo, hi

    def make_integer(self, schema: dict[str, Any], depth: int) -> int:
        lo, hi = self.bounds(schema, integer=True)
        low, high = math.ceil(lo), math.floor(hi)
        multiple = schema.get("multipleOf")
        if isinstance(multiple, (int, float)) and not isinstance(multiple, bool) and multiple > 0:
            first, last = math.ceil(low / multiple), math.floor(high / multiple)
            for _ in range(16):
                if first > last:
                    break
                value = self.rng.randint(first, min(last, first + 1000)) * multiple
                if float(value).is_integer():
                    return int(value)
            raise GenerationError(f"no integer multiple of {multiple} in range")
        if low > high:
            raise GenerationError(f"no integer between {lo} and {hi}")
        return self.rng.randint(low, min(high, low + 10_000))

    def make_number(self, schema: dict[str, Any], depth: int) -> float | int:
        multiple = schema.get("multipleOf")
        if isinstance(multiple, (int, float)) and not isinstance(multiple, bool) and multiple > 0:
            lo, hi = self.bounds(schema, integer=False)
            first, last = math.ceil(lo / multiple), math.floor(hi / multiple)
            for _ in range(32):
                if first > last:
                    break
                k = self.rng.randint(first, min(last, first + 1000))
                # k times the multiple as decimals count (6.06, not 6.0600000000000005)
                exact = decimal.Decimal(k) * decimal.Decimal(repr(multiple))
                value = float(exact)
                if lo <= value <= hi:
                    return int(value) if value.is_integer() else value
            raise GenerationError(f"no number multiple of {multiple} in range")
        lo, hi = self.bounds(schema, integer=False)
        value = round(self.rng.uniform(lo, hi), 2)
        if not lo <= value <= hi:
            value = lo
        return value

    def make_string(self, schema: dict[str, Any], depth: int) -> str:
        min_len = _int(schema, "minLength") or 0
        max_len = _int(schema, "maxLength")
        pattern = schema.get("pattern")
        if isinstance(pattern, str):
            formatted = self.formatted(schema.get("format"))
            if formatted is not None and len(formatted) >= min_len \
                    and (max_len is None or len(formatted) <= max_len) \
                    and _matches(pattern, formatted):
                return formatted  # both the format and the pattern
            for _ in range(12):
                try:
                    text = string_matching(pattern, self.rng)
                except ValueError as exc:
                    raise GenerationError(str(exc)) from None
                if len(text) >= min_len and (max_len is None or len(text) <= max_len):
                    return text
            raise GenerationError(f"no string of the allowed length matches {pattern!r}")
        formatted = self.formatted(schema.get("format"))
        if formatted is not None and len(formatted) >= min_len and (
                max_len is None or len(formatted) <= max_len):
            text = formatted
        else:
            text = self.word()
            if len(text) < min_len:
                text += "".join(self.rng.choice(string.ascii_lowercase)
                                for _ in range(min_len - len(text)))
            if max_len is not None:
                text = text[:max_len]
        return text

    def formatted(self, fmt: Any) -> str | None:
        rng = self.rng
        stamp = (f"{rng.randint(2000, 2030):04d}-{rng.randint(1, 12):02d}-"
                 f"{rng.randint(1, 28):02d}")
        clock = f"{rng.randint(0, 23):02d}:{rng.randint(0, 59):02d}:{rng.randint(0, 59):02d}"
        values = {
            "date-time": f"{stamp}T{clock}Z",
            "date": stamp,
            "time": f"{clock}Z",
            "email": f"{self.word()}@example.com",
            "idn-email": f"{self.word()}@example.com",
            "uuid": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
            "uri": f"https://example.com/{self.word()}",
            "url": f"https://example.com/{self.word()}",
            "iri": f"https://example.com/{self.word()}",
            "uri-reference": f"/{self.word()}",
            "iri-reference": f"/{self.word()}",
            "uri-template": f"https://example.com/{self.word()}/{{id}}",
            "hostname": f"{self.word()}.example.com",
            "idn-hostname": f"{self.word()}.example.com",
            "ipv4": f"192.0.2.{rng.randint(1, 254)}",
            "ipv6": f"2001:db8::{rng.randint(1, 65535):x}",
            "byte": base64.b64encode(rng.randbytes(9)).decode("ascii"),
            "duration": f"P{rng.randint(1, 30)}D",
            "json-pointer": f"/{self.word()}",
            "regex": "^[a-z]+$",
        }
        return values.get(fmt) if isinstance(fmt, str) else None

    # -- containers ----------------------------------------------------------------------------
    def make_array(self, schema: dict[str, Any], depth: int) -> list[Any]:
        min_items = _int(schema, "minItems") or 0
        max_items = _int(schema, "maxItems")
        prefix = _list(schema, "prefixItems")
        upper = min_items + (0 if depth >= _SHALLOW else 2)
        if max_items is not None:
            upper = max(min(upper, max_items), min_items)
        count = self.rng.randint(min_items, upper)
        if count == 0 and depth < _SHALLOW and upper > 0 and self.rng.random() < 0.7:
            count = 1  # an empty list says little about the items
        items = schema.get("items", {})
        unique = schema.get("uniqueItems") is True
        result: list[Any] = []
        seen: set[str] = set()
        attempts = 0
        while len(result) < count and attempts < count * 8 + 8:
            attempts += 1
            position = len(result)
            item_schema = prefix[position] if position < len(prefix) else items
            if item_schema is False:
                break
            value = self.generate(item_schema, depth + 1)
            if unique:
                key = json.dumps(value, sort_keys=True, default=str)
                if key in seen:
                    continue
                seen.add(key)
            result.append(value)
        if len(result) < min_items:
            raise GenerationError(f"could not make {min_items} distinct items")
        return result

    def make_object(self, schema: dict[str, Any], depth: int) -> dict[str, Any]:
        properties = _dict(schema, "properties")
        required = [r for r in _list(schema, "required") if isinstance(r, str)]
        skip = "writeOnly" if self.direction == "response" else "readOnly"
        result: dict[str, Any] = {}
        max_props = _int(schema, "maxProperties")
        for name in required:
            resolved = self.resolve(properties.get(name, True))
            if self.direction == "response" and isinstance(resolved, dict) \
                    and resolved.get("writeOnly") is True:
                continue
            result[name] = self.generate(properties.get(name, True), depth + 1)
        for name, prop in properties.items():
            if name in result:
                continue
            if max_props is not None and len(result) >= max_props:
                break
            resolved = self.resolve(prop)
            if isinstance(resolved, dict) and resolved.get(skip) is True:
                continue
            keep = 0.9 if depth < 2 else (0.5 if depth < _SHALLOW else 0.0)
            if self.rng.random() < keep:
                try:
                    result[name] = self.generate(prop, depth + 1)
                except GenerationError:
                    continue
        min_props = _int(schema, "minProperties") or 0
        extra = schema.get("additionalProperties", True)
        counter = 1
        while len(result) < min_props and counter < min_props + 16:
            if extra is False:
                raise GenerationError("minProperties cannot be met without extra properties")
            key = f"key{counter}"
            counter += 1
            if key not in result:
                result[key] = self.generate(extra if isinstance(extra, dict) else True,
                                            depth + 1)
        return result


_NONE: Any = object()
