"""Validating mock responses against the spec, the way response-conformance checkers do.

The dialect comes from `specfirst.server.fast_validation.validator_factory`, as for `serve`.
OpenAPI 3.0 schemas are JSON Schema draft 4 plus `nullable`; the whole document is converted
once (`nullable: true` → a `"null"` type / enum member) and registered as one resource, so a
validator for any schema in it is a `$ref` into that resource. OpenAPI 3.1 schemas are
draft 2020-12 as they are.
"""

from __future__ import annotations

import copy
import datetime
import decimal
import functools
import re
from typing import Any
from urllib.parse import urlsplit

import jsonschema
from referencing import Registry
from referencing.jsonschema import DRAFT4, DRAFT202012
from specfirst.generator.loader import resolve_pointer
from specfirst.server.fast_validation import habits_as_2020, validator_factory

__all__ = ["MockValidator", "to_json_schema_document"]

_URI = "urn:specfirst:mock-spec"
_UUID = re.compile(r"[0-9a-fA-F]{8}(-?[0-9a-fA-F]{4}){3}-?[0-9a-fA-F]{12}")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_DATA_KEYS = frozenset({"example", "examples", "default", "enum", "const"})


_NAME_MAPS = frozenset({"properties", "patternProperties", "schemas", "definitions", "$defs",
                        "paths", "responses", "content", "headers", "parameters", "components"})


def _convert(node: Any, depth: int = 0, names: bool = False) -> Any:
    if depth > 400:
        return node
    if isinstance(node, list):
        return [_convert(item, depth + 1) for item in node]
    if not isinstance(node, dict):
        return node
    out: dict[str, Any] = {}
    for key, value in node.items():
        if not names and (key in _DATA_KEYS or (isinstance(key, str) and key.startswith("x-"))):
            out[key] = value
        else:
            out[key] = _convert(value, depth + 1, not names and key in _NAME_MAPS)
    if out.get("nullable") is True:
        kind = out.get("type")
        if isinstance(kind, str):
            out["type"] = [kind, "null"]
        if isinstance(out.get("enum"), list) and None not in out["enum"]:
            out["enum"] = list(out["enum"]) + [None]
        if "type" not in out and any(k in out for k in ("allOf", "oneOf", "anyOf", "$ref")):
            inner = {k: v for k, v in out.items() if k != "nullable"}
            out = {"anyOf": [inner, {"type": "null"}]}
    return out


def _write_only(node: Any, document: dict[str, Any]) -> bool:
    for _ in range(16):
        if not (isinstance(node, dict) and isinstance(node.get("$ref"), str)):
            break
        try:
            node = resolve_pointer(document, node["$ref"].lstrip("#"))
        except KeyError:
            return False
    return isinstance(node, dict) and (node.get("writeOnly") is True
                                       or node.get("x-writeOnly") is True)


def _forbid_write_only(node: Any, document: dict[str, Any], depth: int = 0,
                       names: bool = False) -> None:
    """Write-only properties never occur in responses (as response-conformance checkers say)."""
    if depth > 400:
        return
    if isinstance(node, list):
        for item in node:
            _forbid_write_only(item, document, depth + 1)
        return
    if not isinstance(node, dict):
        return
    kind = node.get("type")
    props = node.get("properties")
    if not names and isinstance(props, dict) and (
            kind in (None, "object") or (isinstance(kind, list) and "object" in kind)):
        for name in list(props):
            if _write_only(props[name], document):
                props[name] = {"not": {}}
                if isinstance(node.get("required"), list) and name in node["required"]:
                    node["required"] = [r for r in node["required"] if r != name]
    for key, value in node.items():
        if not names and (key in _DATA_KEYS or (isinstance(key, str) and key.startswith("x-"))):
            continue
        _forbid_write_only(value, document, depth + 1, not names and key in _NAME_MAPS)


def to_json_schema_document(document: dict[str, Any], is_v31: bool, *,
                            responses: bool = True, meant: bool = False) -> dict[str, Any]:
    """The document as JSON Schema sees it, for validating responses (write-only properties
    forbidden), or with `responses=False` for validating requests. `meant=True` reads a
    response schema as its author meant it where JSON Schema admits less (see
    `_all_of_members_allowed`), as requests are always read."""
    converted = copy.deepcopy(document) if is_v31 else _convert(document)
    if is_v31:
        habits_as_2020(converted)
    if responses:
        _forbid_write_only(converted, document)
    else:
        _discriminated_one_of_as_any_of(converted)
    if meant or not responses:
        _all_of_members_allowed(converted, converted, siblings=meant)
    _required_members_allowed(converted)
    return converted


def _required_members_allowed(node: Any, depth: int = 0, names: bool = False) -> None:
    """A closed object (`additionalProperties: false`) allows the members it requires itself,
    listed in its `properties` or not: JSON Schema would admit no object at all, and response
    checkers (Schemathesis) read it this way."""
    if depth > 400:
        return
    if isinstance(node, list):
        for item in node:
            _required_members_allowed(item, depth + 1)
        return
    if not isinstance(node, dict):
        return
    required = node.get("required")
    if not names and node.get("additionalProperties") is False and isinstance(required, list):
        own = node.setdefault("properties", {})
        if isinstance(own, dict):
            for name in required:
                if isinstance(name, str):
                    own.setdefault(name, {})
    for key, value in node.items():
        if not names and (key in _DATA_KEYS or (isinstance(key, str) and key.startswith("x-"))):
            continue
        _required_members_allowed(value, depth + 1, not names and key in _NAME_MAPS)


def _all_of_members_allowed(node: Any, document: dict[str, Any], depth: int = 0,
                            names: bool = False, *, siblings: bool = False) -> None:
    """Requests: `additionalProperties: false` beside `allOf`/`anyOf`/`oneOf` allows the
    properties their branches name (JSON Schema would allow none of them, so no object with
    any property were valid; the spec means the merged object, as clients and test generators
    read it). The branches still judge those properties. With `siblings` (the author's reading
    of an answer), a closed `allOf` branch written in place also allows the members its
    siblings and their parent name: the branches make one object together."""
    if depth > 400:
        return
    if isinstance(node, list):
        for item in node:
            _all_of_members_allowed(item, document, depth + 1, siblings=siblings)
        return
    if not isinstance(node, dict):
        return
    if not names and node.get("additionalProperties") is False and any(
            isinstance(node.get(key), list) for key in _BRANCHES):
        own = node.setdefault("properties", {})
        if isinstance(own, dict):
            for name in _branch_members(node, document):
                own.setdefault(name, {})
    branches = node.get("allOf")
    if siblings and not names and isinstance(branches, list):
        together = [*(node.get("properties") or {}), *(node.get("required") or []),
                    *_branch_members(node, document)]
        for branch in branches:
            if isinstance(branch, dict) and "$ref" not in branch \
                    and branch.get("additionalProperties") is False \
                    and isinstance(branch.setdefault("properties", {}), dict):
                for name in together:
                    if isinstance(name, str):
                        branch["properties"].setdefault(name, {})
    for key, value in node.items():
        if not names and (key in _DATA_KEYS or (isinstance(key, str) and key.startswith("x-"))):
            continue
        _all_of_members_allowed(value, document, depth + 1, not names and key in _NAME_MAPS,
                                siblings=siblings)


_BRANCHES = ("allOf", "anyOf", "oneOf")


def _branch_members(node: dict[str, Any], document: dict[str, Any]) -> list[str]:
    """The property names the `allOf`/`anyOf`/`oneOf` branches of `node` name, their own
    branches' included (local `$ref`s followed)."""
    found: list[str] = []
    pending = [(b, 0) for key in _BRANCHES if isinstance(node.get(key), list)
               for b in node[key]]
    while pending:
        branch, depth = pending.pop()
        for _ in range(16):
            if not (isinstance(branch, dict) and isinstance(branch.get("$ref"), str)
                    and branch["$ref"].startswith("#")):
                break
            try:
                branch = resolve_pointer(document, branch["$ref"][1:])
            except KeyError:
                break
        if not isinstance(branch, dict) or depth > 16:
            continue
        props = branch.get("properties")
        found.extend(props if isinstance(props, dict) else ())
        pending.extend((b, depth + 1) for key in _BRANCHES
                       if isinstance(branch.get(key), list) for b in branch[key])
    return list(dict.fromkeys(found))


def _discriminated_one_of_as_any_of(node: Any, depth: int = 0, names: bool = False) -> None:
    """Requests: a `oneOf` with a `discriminator` is decided by the discriminator (OpenAPI),
    not by "exactly one branch": a value its named branch accepts is valid even where another
    branch accepts it too (`{"pet_type": "Cat"}` against `Cat` and `Dog` alike)."""
    if depth > 400:
        return
    if isinstance(node, list):
        for item in node:
            _discriminated_one_of_as_any_of(item, depth + 1)
        return
    if not isinstance(node, dict):
        return
    if not names and isinstance(node.get("oneOf"), list) \
            and isinstance(node.get("discriminator"), dict) and "anyOf" not in node:
        node["anyOf"] = node.pop("oneOf")
    for key, value in node.items():
        if not names and (key in _DATA_KEYS or (isinstance(key, str) and key.startswith("x-"))):
            continue
        _discriminated_one_of_as_any_of(value, depth + 1, not names and key in _NAME_MAPS)


def _is_uri(value: object) -> bool:
    if not isinstance(value, str):
        return True
    parts = urlsplit(value)
    if any(c.isspace() or ord(c) < 0x20 or 0x7F <= ord(c) < 0xA0 for c in value):
        return False  # RFC 3986: no spaces or control characters
    if parts.scheme in ("http", "https") and not parts.hostname:
        return False
    return bool(parts.scheme) and bool(parts.netloc or parts.path)


def _is_uuid(value: object) -> bool:
    return not isinstance(value, str) or bool(_UUID.fullmatch(value))


def _is_date(value: object) -> bool:
    if not isinstance(value, str):
        return True
    return bool(_DATE.fullmatch(value)) and bool(datetime.date.fromisoformat(value))


def _format_checker(base: jsonschema.FormatChecker) -> jsonschema.FormatChecker:
    """The validator's own format checks, plus those response checkers apply without extra
    packages installed here (`uri`, `uuid`, `date`)."""
    checker = jsonschema.FormatChecker(formats=())
    checker.checkers = dict(base.checkers)
    checker.checks("uri", raises=ValueError)(_is_uri)
    checker.checks("uuid", raises=ValueError)(_is_uuid)
    checker.checks("date", raises=ValueError)(_is_date)
    checker.checks("int32")(lambda value: _in_range(value, 31))
    checker.checks("int64")(lambda value: _in_range(value, 63))
    return checker


def _in_range(value: object, bits: int) -> bool:
    """`int32` / `int64`: an integer the format can hold (other values are not judged)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return True
    if isinstance(value, float) and not value.is_integer():
        return True
    return bool(-(2 ** bits) <= value < 2 ** bits)


@functools.lru_cache(maxsize=1024)
def _ecma(pattern: str) -> re.Pattern[str] | None:
    """A `pattern` as JSON Schema means it (ECMA-262), as near as Python `re` comes: `\\d`,
    `\\w` and `\\s` over ASCII (Python's `\\s` also takes the control characters
    U+001C–U+001F, which ECMA-262 does not), and a closing `$` at the very end of the string
    (Python's also matches before a final newline). This is how Schemathesis reads patterns."""
    if pattern.endswith("$") and not pattern.endswith("\\$"):
        pattern = pattern[:-1] + "\\Z"
    try:
        return re.compile(pattern, re.ASCII)
    except (re.error, ValueError, OverflowError, RecursionError):
        return None


def _pattern(validator: Any, pattern: Any, instance: Any, schema: Any) -> Any:
    """The `pattern` keyword, read by `_ecma` (a pattern Python cannot compile accepts)."""
    del schema
    if not validator.is_type(instance, "string") or not isinstance(pattern, str):
        return
    compiled = _ecma(pattern)
    if compiled is not None and not compiled.search(instance):  # an unusable one accepts
        yield jsonschema.ValidationError(f"{instance!r} does not match {pattern!r}")


def _multiple_of(validator: Any, multiple: Any, instance: Any, schema: Any) -> Any:
    """`multipleOf` over the numbers as written in decimal (JSON's numbers), as response
    checkers judge it: 0.07 is a multiple of 0.01, 6.0600000000000005 is not (binary floating
    point says otherwise on both)."""
    del schema
    if not validator.is_type(instance, "number") or isinstance(multiple, bool) \
            or not isinstance(multiple, (int, float)) or multiple <= 0:
        return
    try:
        remainder = decimal.Decimal(repr(instance)) % decimal.Decimal(repr(multiple))
    except (decimal.InvalidOperation, ValueError):
        return  # beyond what decimals can divide: not judged
    if remainder != 0:
        yield jsonschema.ValidationError(f"{instance!r} is not a multiple of {multiple!r}")


class MockValidator:
    """`errors(pointer, value)`: why `value` does not satisfy the schema at a JSON pointer.

    By default values are judged as responses (write-only properties must be absent);
    `responses=False` judges them as requests (the mock's callbacks send requests), and
    `meant=True` reads closed objects beside `allOf`/`anyOf`/`oneOf` as their authors meant
    them (`meant_reading`)."""

    def __init__(self, document: dict[str, Any], *, is_v31: bool, responses: bool = True,
                 meant: bool = False):
        self.is_v31 = is_v31
        self.document = document
        self.responses = responses
        self.meant = meant
        self._meant: MockValidator | None = None
        converted = to_json_schema_document(document, is_v31, responses=responses, meant=meant)
        specification = DRAFT202012 if is_v31 else DRAFT4
        self.registry: Registry[Any] = Registry().with_resource(
            _URI, specification.create_resource(converted))
        base = validator_factory("3.1" if is_v31 else "3.0").json_schema_class
        self.cls = jsonschema.validators.extend(base, {"pattern": _pattern,
                                                       "multipleOf": _multiple_of})
        self.checker = _format_checker(self.cls.FORMAT_CHECKER)
        self._validators: dict[str, Any] = {}

    def meant_reading(self) -> MockValidator:
        """The same judge, reading `additionalProperties: false` beside `allOf`/`anyOf`/`oneOf`
        as allowing the members the branches name (built when first asked for)."""
        if self.meant or not self.responses:
            return self
        if self._meant is None:
            self._meant = MockValidator(self.document, is_v31=self.is_v31, meant=True)
        return self._meant

    def validator(self, pointer: str) -> Any:
        found = self._validators.get(pointer)
        if found is None:
            schema = {"$ref": f"{_URI}#{pointer}"}
            if self.is_v31:
                schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
            found = self.cls(schema, registry=self.registry, format_checker=self.checker)
            self._validators[pointer] = found
        return found

    def best_error(self, pointer: str, value: Any) -> Any:
        """None when valid, else the most relevant jsonschema error (a string when the
        schema itself cannot be used)."""
        try:
            return jsonschema.exceptions.best_match(self.validator(pointer).iter_errors(value))
        except Exception as exc:  # an unusable schema accepts what it cannot judge
            del exc
            return None

    def error(self, pointer: str, value: Any) -> str | None:
        """None when valid, else a one-line reason."""
        try:
            problem = jsonschema.exceptions.best_match(
                self.validator(pointer).iter_errors(value))
        except (jsonschema.exceptions.SchemaError, jsonschema.exceptions.RefResolutionError,
                RecursionError, ValueError, TypeError, LookupError) as exc:
            return f"schema cannot be used for validation: {type(exc).__name__}"
        except Exception as exc:  # referencing.exceptions.Unresolvable and friends
            return f"schema cannot be used for validation: {type(exc).__name__}"
        if problem is None:
            return None
        where = "/".join(str(p) for p in problem.absolute_path)
        return f"{problem.message[:200]} at /{where}"

    def without_unexpected(self, pointer: str, value: Any, *, rounds: int = 4) -> Any:
        """`value` less the object members an `additionalProperties: false` refuses (and
        nothing else), or `value` itself when nothing is refused that way."""
        for _ in range(rounds):
            try:
                errors = list(self.validator(pointer).iter_errors(value))
            except Exception:  # an unusable schema: nothing to take out
                return value
            extras = _unexpected(errors)
            if not extras:
                return value
            value = copy.deepcopy(value)
            for path, names in extras:
                node = value
                for token in path:  # (a member taken out already may hold this one)
                    if isinstance(node, dict) and token in node or isinstance(node, list) \
                            and isinstance(token, int) and token < len(node):
                        node = node[token]
                    else:
                        node = None
                if isinstance(node, dict):
                    for name in names:
                        node.pop(name, None)
        return value


def _unexpected(errors: list[Any]) -> list[tuple[tuple[Any, ...], list[str]]]:
    """Where (instance path) and which members `additionalProperties: false` refuses, among
    `errors` and the errors of their `anyOf`/`oneOf` branches."""
    found: list[tuple[tuple[Any, ...], list[str]]] = []
    pending = list(errors)
    while pending:
        error = pending.pop()
        pending.extend(error.context or ())
        if error.validator != "additionalProperties" or error.validator_value is not False \
                or not isinstance(error.instance, dict) or not isinstance(error.schema, dict):
            continue
        named = error.schema.get("properties") or {}
        patterns = [p for p in error.schema.get("patternProperties") or {}
                    if _ecma(p) is not None]
        names = [name for name in error.instance if name not in named
                 and not any(_ecma(p).search(name) for p in patterns)]  # type: ignore[union-attr]
        if names:
            found.append((tuple(error.absolute_path), names))
    return found
