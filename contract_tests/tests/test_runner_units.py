"""Small pieces of the runner: scope arithmetic, options, defaults, the public API."""

from __future__ import annotations

import importlib
from typing import Any

import pytest
from specfirst.contract_tests.runner.checks import declared_scopes, missing_scopes
from specfirst.contract_tests.runner.defaults import contract_defaults
from specfirst.contract_tests.runner.options import RunOptions, parse_list
from specfirst.contract_tests.runner.results import with_token_variable
from specfirst.generator.errors import ConfigError, UsageError

DOCUMENT = {"security": [{"bearerAuth": ["a:read"]}]}


def test_declared_scopes_uses_the_operation_then_the_document_default() -> None:
    assert declared_scopes({}, DOCUMENT) == [{"a:read"}]
    assert declared_scopes({"security": []}, DOCUMENT) == []
    two = {"security": [{"bearerAuth": ["a:write", "admin"]}, {"apiKey": []}]}
    assert declared_scopes(two, DOCUMENT) == [{"a:write", "admin"}, set()]


def test_missing_scopes_is_none_when_one_alternative_is_satisfied() -> None:
    assert missing_scopes([{"a:read"}], frozenset({"a:read"})) is None
    assert missing_scopes([{"a:write"}], frozenset({"a:read"})) == {"a:write"}
    assert missing_scopes([{"a:write", "b"}, {"c"}], frozenset()) == {"c"}
    assert missing_scopes([{"a:write"}, set()], frozenset()) is None
    assert missing_scopes([], frozenset()) is None


def test_run_options_validate_their_combination() -> None:
    with pytest.raises(UsageError):
        RunOptions()
    with pytest.raises(UsageError):
        RunOptions(url="http://x", app=object())
    with pytest.raises(UsageError, match="unknown phase"):
        RunOptions(url="http://x", phases=("stateful", "nope"))
    options = RunOptions(url="http://x", headers={"X-A": "1"}, token="t")
    assert options.request_headers == {"X-A": "1"}  # the token goes where each scheme says
    assert parse_list(" a, ,b ") == ("a", "b")
    assert parse_list(None) == ()


def test_project_defaults_are_validated() -> None:
    defaults = contract_defaults({"max-examples": 3, "phases": ["fuzzing"], "request-timeout": 2})
    assert (defaults.max_examples, defaults.phases, defaults.request_timeout) == \
        (3, ("fuzzing",), 2.0)
    with pytest.raises(ConfigError, match="did you mean 'max-examples'"):
        contract_defaults({"max-example": 3})
    with pytest.raises(ConfigError, match="must be of type int"):
        contract_defaults({"seed": "x"})
    exempt = contract_defaults({"success-exempt": {"get_user": "admin tool only"}})
    assert exempt.success_exempt == {"get_user": "admin tool only"}


def test_reproductions_read_tokens_from_the_shell() -> None:
    curl = "curl -X GET -H 'Authorization: [Filtered]' http://h/x"
    assert with_token_variable(curl) == 'curl -X GET -H "Authorization: Bearer $TOKEN" http://h/x'
    assert "$OTHER" in with_token_variable(curl, "OTHER")


@pytest.mark.parametrize("name", ["specfirst.contract_tests.runner",
                         "specfirst.contract_tests.pipeline"])
def test_public_api_is_sorted_and_importable(name: str) -> None:
    module = importlib.import_module(name)
    assert module.__all__ == sorted(module.__all__)
    for attribute in module.__all__:
        assert hasattr(module, attribute)


def test_opaque_inputs_are_left_out_of_a_copy() -> None:
    from specfirst.contract_tests.runner.opaque import without_opaque_inputs

    document: dict[str, Any] = {
        "openapi": "3.0.3",
        "paths": {"/items": {
            "get": {"parameters": [{"$ref": "#/components/parameters/Cursor"},
                                   {"name": "token", "in": "query", "x-specfirst-opaque": True,
                                    "schema": {"type": "string"}},
                                   {"name": "cursor", "in": "header",
                                    "schema": {"type": "string"}}],
                    "responses": {"200": {"description": "ok", "links": {"Next": {
                        "operationId": "list", "parameters": {"query.cursor": "x", "a": "b"}}}}}},
            "post": {"requestBody": {"content": {"application/json": {
                "schema": {"$ref": "#/components/schemas/Search"}}}},
                "responses": {"200": {"description": "ok"}}},
        }},
        "components": {
            "parameters": {"Cursor": {"name": "cursor", "in": "query",
                                      "schema": {"type": "string"}}},
            "schemas": {"Search": {"type": "object", "example": {"cursor": "c", "q": "x"},
                                   "properties": {"cursor": {"type": "string"},
                                                  "q": {"type": "string",
                                                        "x-specfirst-opaque": False}}}},
        },
    }
    copied, removed = without_opaque_inputs(document)
    assert removed == {"cursor", "token"}
    get = copied["paths"]["/items"]["get"]
    assert [p.get("name") for p in get["parameters"]] == ["cursor"]  # the header stays
    assert get["responses"]["200"]["links"]["Next"]["parameters"] == {"a": "b"}
    search = copied["components"]["schemas"]["Search"]
    assert list(search["properties"]) == ["q"]
    assert search["example"] == {"q": "x"}
    # the spec itself is untouched
    assert len(document["paths"]["/items"]["get"]["parameters"]) == 3
    assert "cursor" in document["components"]["schemas"]["Search"]["properties"]
