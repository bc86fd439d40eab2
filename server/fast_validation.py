"""Request and response bodies validated by compiled schemas (jsonschema-rs), Connexion's rules.

Connexion validates JSON bodies with the pure-Python `jsonschema` (a validator is even rebuilt
for every request and every response), and parses them with the standard `json` module. The
validators here keep Connexion's classes and rules and change only how the work is done:

- bodies are parsed with orjson;
- each operation's schema is translated once into plain Draft 4 that means the same as
  Connexion's extended validators — OpenAPI `nullable` becomes `"null"` in `type` and `None` in
  `enum`; in responses a `writeOnly` property always fails (Connexion's rule); every `format`
  is checked by the very function Connexion's format checker uses (including the extra formats
  of `server.validation`), formats it does not know are ignored as Connexion ignores them —
  compiled with jsonschema-rs, and cached per schema object;
- a body the compiled schema accepts is done; anything else (an invalid body, a schema that
  cannot be compiled, such as one with a recursive `$ref`) goes through Connexion's own
  validation, so every error a client sees is exactly the one Connexion would have given.

Bodies are plugged in through Connexion's `validator_map` (`VALIDATOR_MAP` below); parameters
(path, query, header, cookie) get the same treatment through `validate_parameter`, which
`specfirst.server.validation.PreconditionParameterValidator` uses.

The JSON Schema dialect follows the spec's version (`dialect_of`, `validator_factory`): an
OpenAPI 3.0 document means Draft 4 with OpenAPI's `nullable` (where `3.0` is not an integer),
an OpenAPI 3.1 document means Draft 2020-12 (where it is). The document Connexion is given for
a 3.1 spec is written in 3.0 terms, and each of its schemas carries `DIALECT_MARK`, so the
compiled validators here judge its values with 2020-12 semantics; the mock and any other part
(import jobs, say) get their validators from the same `validator_factory`.
"""

from __future__ import annotations

import logging
import typing as t
from collections.abc import Callable
from typing import Any

import jsonschema
import jsonschema_rs
import orjson
from connexion.exceptions import BadRequestProblem, NonConformingResponseBody
from connexion.validators import VALIDATOR_MAP as CONNEXION_VALIDATORS
from connexion.validators import (
    FormDataValidator,
    MultiPartFormDataValidator,
    TextResponseBodyValidator,
)
from connexion.validators.json import JSONRequestBodyValidator, JSONResponseBodyValidator
from jsonschema import Draft4Validator
from referencing.jsonschema import DRAFT4, DRAFT202012
from specfirst.server.connexion_compat import is_null, is_nullable
from specfirst.server.problems import BadRequest
from specfirst.server.schema_errors import describe_error, first_error, pointer_of

__all__ = ["DIALECT_MARK", "Dialect", "FastJSONRequestBodyValidator",
           "FastJSONResponseBodyValidator", "SchemaDialect", "VALIDATOR_MAP", "compiled",
           "dialect_of", "habits_as_2020", "translate", "validate_parameter", "validator_factory"]

log = logging.getLogger(__name__)

_FORMAT_PREFIX = "specfirst-"
_SCHEMA_MAPS = ("properties", "patternProperties", "definitions")
_SCHEMA_LISTS = ("allOf", "anyOf", "oneOf")
_SCHEMA_ONE = ("not", "additionalProperties", "items", "additionalItems")
# id(schema) -> (the schema, kept alive so the id stays its own; the request and the response
# validator, or None where the schema cannot be compiled)
_cache: dict[tuple[int, bool], tuple[dict[str, Any], Any]] = {}


Dialect = t.Literal["openapi-3.0", "draft2020-12"]
DIALECT_MARK = "x-specfirst-dialect"
"""Set to "draft2020-12" on the schemas of a 3.1 document rewritten in 3.0 terms."""


def dialect_of(document_or_version: Any) -> Dialect:
    """The JSON Schema dialect of an OpenAPI document (or of its `openapi` version string)."""
    version = document_or_version.get("openapi") if isinstance(document_or_version, dict) \
        else document_or_version
    return "draft2020-12" if str(version or "").startswith("3.1") else "openapi-3.0"


class SchemaDialect:
    """Validators for one dialect: `compile(schema)` (jsonschema-rs, for one schema without
    `$ref`s) and `json_schema_class` (the pure-Python validator, for whole documents)."""

    def __init__(self, dialect: Dialect):
        self.dialect: Dialect = dialect
        self.is_v31 = dialect == "draft2020-12"
        self.json_schema_class: Any = (jsonschema.Draft202012Validator if self.is_v31
                                       else jsonschema.Draft4Validator)
        # The referencing specification a document's schemas are registered under.
        self.specification: Any = DRAFT202012 if self.is_v31 else DRAFT4

    @property
    def request_validator_class(self) -> Any:
        """The pure-Python validator for request data (OpenAPI 3.0: Connexion's, the one serve
        validates requests with, which knows `nullable`)."""
        if self.is_v31:
            return jsonschema.Draft202012Validator
        from specfirst.server.connexion_compat import Draft4RequestValidator

        return Draft4RequestValidator

    def compile(self, schema: Any, *, response: bool = False) -> Any:
        """A jsonschema-rs validator (`is_valid`, `iter_errors`), or None when it cannot be
        compiled (a `$ref` left in it, say)."""
        try:
            if self.is_v31:
                return jsonschema_rs.Draft202012Validator(
                    _translate_2020(schema, response=response), formats=_formats(),
                    validate_formats=True)
            return jsonschema_rs.Draft4Validator(translate(schema, response=response),
                                                 formats=_formats(), validate_formats=True)
        except Exception as exc:  # noqa: BLE001 - the caller validates another way
            log.debug("schema not compiled: %s", exc)
            return None

    def is_valid(self, schema: Any, value: Any, *, response: bool = False) -> bool | None:
        """Whether `value` satisfies `schema`; None when the schema cannot be compiled."""
        validator = self.compile(schema, response=response)
        return None if validator is None else bool(validator.is_valid(value))


_DIALECTS: dict[str, SchemaDialect] = {}


def validator_factory(document_or_version: Any) -> SchemaDialect:
    """The one place that decides how a spec's schemas are validated: by its version."""
    dialect = dialect_of(document_or_version)
    found = _DIALECTS.get(dialect)
    if found is None:
        found = _DIALECTS[dialect] = SchemaDialect(dialect)
    return found


class _Uncompilable(Exception):
    pass


def _translate_2020(schema: Any, *, response: bool) -> Any:
    """A schema written in 3.0 terms (`nullable`, boolean exclusive bounds) as Draft 2020-12."""
    out = translate(schema, response=response)
    _bounds_2020(out, 0)
    return out


def habits_as_2020(node: Any) -> None:
    """OpenAPI 3.0 habits that 3.1 documents often keep, rewritten in place as the Draft 2020-12
    that means the same (as Schemathesis reads them): boolean `exclusiveMinimum`/`Maximum`
    become numeric bounds, `nullable: true` adds `null` to `type` (and to `enum`)."""
    _bounds_2020(node, 0)
    _nullable_2020(node, 0)


def _nullable_2020(node: Any, depth: int) -> None:
    if depth > 400:
        return
    if isinstance(node, list):
        for item in node:
            _nullable_2020(item, depth + 1)
        return
    if not isinstance(node, dict):
        return
    if node.get("nullable") is True:
        kind = node.get("type")
        if isinstance(kind, str) and kind != "null":
            node["type"] = [kind, "null"]
        elif isinstance(kind, list) and "null" not in kind:
            node["type"] = [*kind, "null"]
        if isinstance(node.get("enum"), list) and None not in node["enum"]:
            node["enum"] = [*node["enum"], None]
    for key, value in node.items():
        if key not in ("enum", "const", "default", "example", "examples") \
                and isinstance(value, (dict, list)):
            if key in _SCHEMA_MAPS and isinstance(value, dict):
                for sub in value.values():
                    _nullable_2020(sub, depth + 1)
            else:
                _nullable_2020(value, depth + 1)


def _bounds_2020(node: Any, depth: int) -> None:
    if depth > 400:
        return
    if isinstance(node, list):
        for item in node:
            _bounds_2020(item, depth + 1)
        return
    if not isinstance(node, dict):
        return
    for key, bound in (("exclusiveMinimum", "minimum"), ("exclusiveMaximum", "maximum")):
        if node.get(key) is True and bound in node:
            node[key] = node.pop(bound)
        elif node.get(key) is False:
            node.pop(key)
    for key, value in node.items():
        if key not in ("enum", "const", "default") and isinstance(value, (dict, list)):
            if key in _SCHEMA_MAPS and isinstance(value, dict):
                for sub in value.values():
                    _bounds_2020(sub, depth + 1)
            else:
                _bounds_2020(value, depth + 1)


def translate(schema: Any, *, response: bool) -> Any:
    """An OpenAPI 3.0 schema (Connexion's dialect) as plain Draft 4 with prefixed formats."""
    if isinstance(schema, bool):
        return schema
    if not isinstance(schema, dict):
        raise _Uncompilable("not a schema")
    if "$ref" in schema:
        raise _Uncompilable("unresolved $ref")  # recursive schemas: Connexion validates those
    if response and ("writeOnly" in schema or "x-writeOnly" in schema):
        return {"not": {}}
    out: dict[str, Any] = {}
    for key, value in schema.items():
        if key in _SCHEMA_MAPS and isinstance(value, dict):
            out[key] = {name: translate(sub, response=response) for name, sub in value.items()}
        elif key in _SCHEMA_LISTS and isinstance(value, list):
            out[key] = [translate(sub, response=response) for sub in value]
        elif key in _SCHEMA_ONE:
            out[key] = ([translate(sub, response=response) for sub in value]
                        if isinstance(value, list) else translate(value, response=response))
        elif key == "format":
            if isinstance(value, str) and value in Draft4Validator.FORMAT_CHECKER.checkers:
                out[key] = _FORMAT_PREFIX + value
        elif key in ("components", "nullable", "x-nullable", "example", "examples",
                     "discriminator", "xml", "externalDocs", "readOnly", "writeOnly",
                     "deprecated", DIALECT_MARK):
            continue
        else:
            out[key] = value
    if schema.get("nullable") or schema.get("x-nullable") is True:
        kinds = out.get("type")
        if isinstance(kinds, str):
            out["type"] = [kinds, "null"]
        elif isinstance(kinds, list) and "null" not in kinds:
            out["type"] = [*kinds, "null"]
        if isinstance(out.get("enum"), list) and None not in out["enum"]:
            out["enum"] = [*out["enum"], None]
    return out


def _formats() -> dict[str, Callable[[str], bool]]:
    """The format checks as they are now (`FormatChecker.conforms`, bound at compile time)."""

    def check(function: Callable[[Any], Any], raises: Any) -> Callable[[str], bool]:
        def conforms(value: str) -> bool:
            try:
                return bool(function(value))
            except raises:
                return False

        return conforms

    return {_FORMAT_PREFIX + name: check(function, raises)
            for name, (function, raises) in Draft4Validator.FORMAT_CHECKER.checkers.items()}


def compiled(schema: dict[str, Any], *, response: bool) -> Any:
    """The compiled validator of `schema`, or None when only Connexion can validate it."""
    key = (id(schema), response)
    entry = _cache.get(key)
    if entry is not None and entry[0] is schema:
        return entry[1]
    dialect = "draft2020-12" if isinstance(schema, dict) and schema.get(DIALECT_MARK) \
        == "draft2020-12" else "openapi-3.0"
    validator: Any = validator_factory("3.1" if dialect == "draft2020-12" else "3.0").compile(
        schema, response=response)
    _cache[key] = (schema, validator)
    return validator


class FastJSONRequestBodyValidator(JSONRequestBodyValidator):  # type: ignore[misc]
    parsed: Any = None
    """The body as parsed for validation (the fast route hands it to the handler)."""

    async def _parse(self, stream: t.AsyncGenerator[bytes, None], scope: Any) -> Any:
        raw = b"".join([message async for message in stream])
        if not raw.decode(self._encoding):
            return None
        try:
            self.parsed = orjson.loads(raw)
        except orjson.JSONDecodeError as exc:
            raise BadRequestProblem(detail=str(exc)) from None
        return self.parsed

    def _validate(self, body: Any) -> dict[str, Any] | None:
        if body is not None or self._nullable:
            validator = compiled(self._schema, response=False)
            if validator is not None and validator.is_valid(body):
                return None
        if body is None and not self._nullable:
            raise BadRequest("the request body must not be empty")
        error = first_error(self._validator.iter_errors(body))
        if error is None:
            return None
        message = describe_error(error, "the body")
        raise BadRequest(message, errors=[{"pointer": pointer_of(error), "message": message}])


class FastJSONResponseBodyValidator(JSONResponseBodyValidator):  # type: ignore[misc]
    def _parse(self, stream: t.Generator[bytes, None, None]) -> Any:
        raw = b"".join(stream)
        if not raw.decode(self._encoding):
            return None
        try:
            return orjson.loads(raw)
        except orjson.JSONDecodeError as exc:
            raise NonConformingResponseBody(str(exc)) from None

    def _validate(self, body: Any) -> None:
        validator = compiled(self._schema, response=True)
        if validator is not None and validator.is_valid(body):
            return
        super()._validate(body)


def validate_parameter(parameter_type: str, value: Any, param: dict[str, Any],
                       param_name: str | None = None) -> str | None:
    """`ParameterValidator.validate_parameter` with the compiled parameter schema first, and
    its message in plain words (`query parameter limit must be at most 100`).

    Connexion deep-copies each parameter and builds a new jsonschema validator for it on every
    request; a value the compiled schema accepts skips that, anything else is judged as
    Connexion judges it (Draft 4, its format checker)."""
    if is_nullable(param) and is_null(value):
        return None
    name = f"{parameter_type} parameter {param.get('name', param_name or '')}".rstrip()
    if value is None:
        return f"{name} is required" if param.get("required") else None
    schema = param.get("schema", param)
    validator = compiled(schema, response=False)
    if validator is not None and validator.is_valid(value):
        return None
    error = first_error(Draft4Validator(schema, format_checker=Draft4Validator.FORMAT_CHECKER)
                        .iter_errors(value))
    return None if error is None else describe_error(error, name)


VALIDATOR_MAP: dict[str, Any] = {
    "body": type(CONNEXION_VALIDATORS["body"])({
        "*/*json": FastJSONRequestBodyValidator,
        "application/x-www-form-urlencoded": FormDataValidator,
        "multipart/form-data": MultiPartFormDataValidator,
    }),
    "response": type(CONNEXION_VALIDATORS["response"])({
        "*/*json": FastJSONResponseBodyValidator,
        "text/plain": TextResponseBodyValidator,
    }),
}
