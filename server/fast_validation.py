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
"""

from __future__ import annotations

import logging
import typing as t
from collections.abc import Callable
from typing import Any

import jsonschema_rs
import orjson
from connexion.exceptions import BadRequestProblem, NonConformingResponseBody
from connexion.utils import is_null, is_nullable
from connexion.validators import VALIDATOR_MAP as CONNEXION_VALIDATORS
from connexion.validators import (
    FormDataValidator,
    MultiPartFormDataValidator,
    TextResponseBodyValidator,
)
from connexion.validators.json import JSONRequestBodyValidator, JSONResponseBodyValidator
from connexion.validators.parameter import ParameterValidator
from jsonschema import Draft4Validator

__all__ = ["FastJSONRequestBodyValidator", "FastJSONResponseBodyValidator", "VALIDATOR_MAP",
           "compiled", "translate", "validate_parameter"]

log = logging.getLogger(__name__)

_FORMAT_PREFIX = "specfirst-"
_SCHEMA_MAPS = ("properties", "patternProperties", "definitions")
_SCHEMA_LISTS = ("allOf", "anyOf", "oneOf")
_SCHEMA_ONE = ("not", "additionalProperties", "items", "additionalItems")
# id(schema) -> (the schema, kept alive so the id stays its own; the request and the response
# validator, or None where the schema cannot be compiled)
_cache: dict[tuple[int, bool], tuple[dict[str, Any], Any]] = {}


class _Uncompilable(Exception):
    pass


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
                     "deprecated"):
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
    try:
        validator: Any = jsonschema_rs.Draft4Validator(
            translate(schema, response=response), formats=_formats(), validate_formats=True)
    except Exception as exc:  # noqa: BLE001 - any refusal means: validate the usual way
        log.debug("schema kept on Connexion's validator: %s", exc)
        validator = None
    _cache[key] = (schema, validator)
    return validator


class FastJSONRequestBodyValidator(JSONRequestBodyValidator):  # type: ignore[misc]
    async def _parse(self, stream: t.AsyncGenerator[bytes, None], scope: Any) -> Any:
        raw = b"".join([message async for message in stream])
        if not raw.decode(self._encoding):
            return None
        try:
            return orjson.loads(raw)
        except orjson.JSONDecodeError as exc:
            raise BadRequestProblem(detail=str(exc)) from None

    def _validate(self, body: Any) -> dict[str, Any] | None:
        if body is not None or self._nullable:
            validator = compiled(self._schema, response=False)
            if validator is not None and validator.is_valid(body):
                return None
        return super()._validate(body)  # type: ignore[no-any-return]


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
    """`ParameterValidator.validate_parameter` with the compiled parameter schema first.

    Connexion deep-copies each parameter and builds a new jsonschema validator for it on every
    request; a value the compiled schema accepts skips that, anything else gets Connexion's own
    check and message."""
    if value is not None and not (is_nullable(param) and is_null(value)):
        validator = compiled(param.get("schema", param), response=False)
        if validator is not None and validator.is_valid(value):
            return None
    return ParameterValidator.validate_parameter(  # type: ignore[no-any-return]
        parameter_type, value, param, param_name)


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
