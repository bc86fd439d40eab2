"""Connexion's internals the server uses are where `server.connexion_compat` expects them, with
the shape the server calls them with: an upgrade that moves or changes one fails here, by name."""

from __future__ import annotations

import contextvars
import inspect

from specfirst.server import connexion_compat as compat


def test_every_name_the_module_exports_is_there() -> None:
    for name in compat.__all__:
        assert getattr(compat, name, None) is not None, name


def test_the_context_variables_are_what_connexion_context_reads() -> None:
    from connexion import context

    for name in ("_context", "_operation", "_receive", "_scope"):
        assert isinstance(getattr(compat, name), contextvars.ContextVar), name
    token = compat._operation.set("an operation")
    try:
        assert context.operation == "an operation"
    finally:
        compat._operation.reset(token)


def test_the_fast_route_calls_match_their_signatures() -> None:
    def parameters(function: object) -> set[str]:
        return set(inspect.signature(function).parameters)  # type: ignore[arg-type]

    assert {"operation", "next_app", "security_handler_factory"} <= parameters(
        compat.SecurityOperation.from_operation)
    assert {"operation", "strict_validation", "validator_map"} <= parameters(
        compat.RequestValidationOperation)
    assert {"operation", "validator_map"} <= parameters(compat.ResponseValidationOperation)
    assert {"request_body", "files", "arguments", "has_kwargs", "sanitize"} <= parameters(
        compat.prep_kwargs)
    assert isinstance(compat.ROUTING_CONTEXT, str)
    assert {"GET", "POST", "DELETE"} <= {method.upper() for method in compat.METHODS}
    for name in ("body_definition", "body_schema", "body_name", "get_path_parameter_types",
                 "from_spec"):
        assert callable(getattr(compat.AbstractOperation, name, None)), name


def test_the_helpers_read_as_the_server_expects() -> None:
    assert compat.is_nullable({"x-nullable": True}) and not compat.is_nullable({})
    assert compat.is_null(None) and compat.is_null("null")
    assert compat.is_json_mimetype("application/problem+json")
    assert compat.pythonic("userId") == "user_id"
    assert compat.sanitized("user-id") == "userid"  # Connexion drops what no name may hold
    arguments, has_kwargs = compat.inspect_function_arguments(lambda user_id, **rest: None)
    assert arguments == ["user_id"] and has_kwargs


def test_the_spec_classes_validate_a_document() -> None:
    document = {"openapi": "3.0.3", "info": {"title": "x", "version": "1"}, "paths": {}}
    specification = compat.OpenAPISpecification(document)
    assert specification.get("paths") == {}
    assert issubclass(compat.OpenAPISpecification, compat.Specification)
    assert callable(compat.create_spec_validator)
    assert compat.Draft4RequestValidator({"type": "integer"}).is_valid(1)
