"""Compiled validation gives Connexion's verdicts: start-up checks of the spec, and bodies."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from typing import Any

import pytest
from connexion.exceptions import InvalidSpecification
from connexion.json_schema import Draft4RequestValidator, Draft4ResponseValidator, resolve_refs
from connexion.spec import OpenAPISpecification, Specification
from jsonschema import Draft4Validator
from specfirst.generator.loader import Spec
from specfirst.server import fast_spec
from specfirst.server.crm import SPEC as CRM_SPEC
from specfirst.server.fast_validation import compiled
from specfirst.server.validation import install_format_checks

_METHODS = ("get", "put", "post", "patch", "delete")


def _crm_schemas() -> Iterator[tuple[str, dict[str, Any], bool]]:
    document = resolve_refs(copy.deepcopy(Spec.from_path(CRM_SPEC).document))
    for path, item in document["paths"].items():
        for method in _METHODS:
            operation = item.get(method)
            if not operation:
                continue
            for parameter in [*item.get("parameters", []), *operation.get("parameters", [])]:
                yield f"{method} {path} {parameter['name']}", parameter["schema"], False
            body = operation.get("requestBody", {}).get("content", {})
            for media in body.values():
                if "schema" in media:
                    yield f"{method} {path} request", media["schema"], False
            for status, response in operation.get("responses", {}).items():
                for media in response.get("content", {}).values():
                    if "schema" in media:
                        yield f"{method} {path} {status}", media["schema"], True


def _variants(schema: dict[str, Any]) -> Iterator[Any]:
    """The schema's example and values around it: nulls, wrong types, bad formats, extras."""
    example = schema.get("example")
    yield example
    yield None
    yield {}
    yield []
    yield from ("text", "", "8a7b6c5d-4e3f-4a1b-8c2d-3e4f5a6b7c8d", "2024-02-30", "2024-02-03",
                "2024-02-03T10:00:00Z", "https://example.com/x", "-name", "a" * 300, 0, 1, 25,
                100, 101, -1, 1.5, True)
    if isinstance(example, dict):
        yield {**example, "unexpected_property": 1}
        for name, value in example.items():
            yield {**example, name: None}
            yield {k: v for k, v in example.items() if k != name}
            yield {**example, name: 12345 if isinstance(value, str) else "not-a-number"}
            if isinstance(value, str):
                yield {**example, name: ""}
                yield {**example, name: "x" * 300}
                yield {**example, name: "not a uuid, date, e-mail or uri"}
            if isinstance(value, list):
                yield {**example, name: [None]}
                yield {**example, name: list(range(30))}
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                yield {**example, name: -1}
                yield {**example, name: 1.5}
                yield {**example, name: 10**12}


def test_compiled_bodies_agree_with_connexion_on_every_crm_schema() -> None:
    install_format_checks()
    checked = 0
    for label, schema, response in _crm_schemas():
        validator = compiled(schema, response=response)
        if validator is None:
            continue  # validated by Connexion itself: nothing to compare
        reference_class = Draft4ResponseValidator if response else Draft4RequestValidator
        reference = reference_class(schema, format_checker=Draft4Validator.FORMAT_CHECKER)
        for instance in _variants(schema):
            expected = reference.is_valid(instance)
            assert validator.is_valid(instance) == expected, (label, instance)
            checked += 1
    assert checked > 500


def test_translation_keeps_openapi_meaning() -> None:
    install_format_checks()
    schema = {"type": "object", "required": ["a"], "properties": {
        "a": {"type": "string", "nullable": True, "enum": ["x", "y"]},
        "nullable": {"type": "integer"},  # a property with a keyword's name
        "secret": {"type": "string", "writeOnly": True},
        "id": {"type": "string", "format": "uuid"},
        "when": {"type": "string", "format": "no-such-format"},
    }}
    request = compiled(schema, response=False)
    response = compiled(schema, response=True)
    assert request is not None and response is not None
    assert request.is_valid({"a": None}) and request.is_valid({"a": "x"})
    assert not request.is_valid({"a": "z"})
    assert not request.is_valid({"a": "x", "nullable": "1"})
    assert request.is_valid({"a": "x", "secret": "s"})
    assert not response.is_valid({"a": "x", "secret": "s"})  # write-only never comes back
    assert not request.is_valid({"a": "x", "id": "not-a-uuid"})
    assert request.is_valid({"a": "x", "when": "anything"})  # unknown formats are ignored


def test_recursive_schemas_stay_with_connexion() -> None:
    schema = {"type": "object", "properties": {"child": {"$ref": "#/components/schemas/T"}}}
    assert compiled(schema, response=False) is None


def _spec(**schema_extra: Any) -> dict[str, Any]:
    return {
        "openapi": "3.0.3", "info": {"title": "t", "version": "1"},
        "paths": {"/a": {"get": {"parameters": [{"name": "q", "in": "query", "schema": {
            "type": "integer", **schema_extra}}], "responses": {"200": {"description": "ok"},
                                                               "default": {"description": "e"}}}}},
        "components": {"schemas": {"S": {"type": "object", "properties": {
            "default": {"type": "string"}, "type": {"type": "string"}}}}},
    }


@pytest.fixture()
def compiled_spec_validation() -> Iterator[None]:
    own = OpenAPISpecification.__dict__.get("_validate_spec")
    fast_spec.install()
    try:
        yield
    finally:
        if own is None:
            del OpenAPISpecification._validate_spec
        else:
            OpenAPISpecification._validate_spec = own


def _connexion_error(document: dict[str, Any]) -> str | None:
    try:
        Specification.from_dict(copy.deepcopy(document))
    except InvalidSpecification as exc:
        return str(exc)
    return None


def test_spec_check_refuses_what_connexion_refuses(compiled_spec_validation: None) -> None:
    assert _connexion_error(_spec()) is None
    assert _connexion_error(_spec(default=3)) is None
    bad_default = _connexion_error(_spec(default="three"))
    assert bad_default is not None and "three" in bad_default
    broken = _spec()
    del broken["paths"]["/a"]["get"]["responses"]["200"]["description"]
    assert _connexion_error(broken) is not None


def test_nodes_with_defaults_skip_names_and_examples() -> None:
    document = _spec(default=3)
    document["paths"]["/a"]["get"]["x-note"] = {"default": "ignored"}
    found = list(fast_spec.nodes_with_defaults(document))
    assert found == [{"type": "integer", "default": 3}]


def test_parameter_validator_keeps_connexions_verdicts_in_plain_words() -> None:
    from connexion.validators.parameter import ParameterValidator
    from specfirst.server.validation import (
        PreconditionParameterValidator as CompiledParameterValidator,
    )

    install_format_checks()
    param = {"name": "id", "in": "path", "required": True,
             "schema": {"type": "string", "format": "uuid"}}
    limit = {"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1,
                                                        "maximum": 100}}
    sort = {"name": "sort", "in": "query", "schema": {"type": "string", "enum": ["name",
                                                                               "-name"]}}
    cases: list[tuple[str, Any, dict[str, Any], str | None]] = [
        ("path", "8a7b6c5d-4e3f-4a1b-8c2d-3e4f5a6b7c8d", param, None),
        ("path", "nope", param, "path parameter id must be a valid uuid"),
        ("path", None, param, "path parameter id is required"),
        ("query", 5, limit, None),
        ("query", 500, limit, "query parameter limit must be at most 100"),
        ("query", 0, limit, "query parameter limit must be at least 1"),
        ("query", "x", limit, "query parameter limit must be of type integer"),
        ("query", None, limit, None),
        ("query", "password", sort, 'query parameter sort must be one of ["name", "-name"]')]
    for kind, value, spec, message in cases:
        ours = CompiledParameterValidator.validate_parameter(kind, value, spec)
        theirs = ParameterValidator.validate_parameter(kind, value, spec)
        assert (ours is None) == (theirs is None), (value, ours, theirs)
        assert ours == message


def test_schema_errors_in_plain_words() -> None:
    from jsonschema import Draft4Validator
    from specfirst.server.schema_errors import describe_error, first_error, pointer_of

    schema = {"type": "object", "required": ["name"], "additionalProperties": False,
              "properties": {"name": {"type": "string"}, "a/b": {"type": "integer",
                                                                 "minimum": 0,
                                                                 "exclusiveMinimum": True}}}

    def told(instance: Any) -> tuple[str, str]:
        error = first_error(Draft4Validator(schema).iter_errors(instance))
        assert error is not None
        return pointer_of(error), describe_error(error, "the body")

    assert told({}) == ("", "the body is missing the required property name")
    assert told({"name": 5}) == ("/name", "the body at /name must be of type string")
    assert told({"name": "x", "a/b": 0}) == ("/a~1b", "the body at /a~1b must be more than 0")
    assert told({"name": "x", "zzz": 1}) == (
        "", 'the body has property the schema does not allow: "zzz"')
    assert first_error(Draft4Validator(schema).iter_errors({"name": "x"})) is None


@pytest.mark.parametrize(("version", "integer_3_0"), [("3.0.3", False), ("3.1.0", True)])
def test_one_factory_gives_every_validator_its_dialect(version: str, integer_3_0: bool) -> None:
    """Whole-document, request and compiled validators of one spec agree on its dialect: in
    3.1 (JSON Schema 2020-12) `3.0` is an integer, in 3.0 it is not."""
    from specfirst.server.fast_validation import validator_factory

    dialect = validator_factory({"openapi": version})
    schema = {"type": "integer"}
    assert dialect.json_schema_class(schema).is_valid(3.0) is integer_3_0
    assert dialect.request_validator_class(schema).is_valid(3.0) is integer_3_0
    compiled_one = dialect.compile(schema)
    assert compiled_one is not None and compiled_one.is_valid(3.0) is integer_3_0
