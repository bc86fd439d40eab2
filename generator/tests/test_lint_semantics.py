"""The semantic half of valid-openapi agrees with openapi-spec-validator, with exact locations."""

from __future__ import annotations

from pathlib import Path

import pytest
from openapi_spec_validator import OpenAPIV30SpecValidator
from specfirst.generator.lint import lint_spec
from specfirst.generator.lint.rules import ValidOpenAPI
from specfirst.generator.loader import Spec

BASE = """\
openapi: 3.0.3
info: {title: T, version: '1'}
tags: [{name: a}]
paths:
  /items/{id}:
    parameters:
      - {name: id, in: path, required: true, schema: {type: string}}
    get:
      operationId: get_item
      responses:
        '200':
          description: ok
          content:
            application/json:
              schema: {$ref: '#/components/schemas/Item'}
components:
  schemas:
    Item:
      allOf:
        - type: object
          properties:
            id: {type: string}
      required: [id]
      properties:
        size: {type: integer, default: 1}
"""
BROKEN = {
    "duplicate operationId": (
        BASE.replace("paths:\n", "paths:\n  /other:\n    get:\n      operationId: get_item\n"
                     "      responses: {'200': {description: ok}}\n"), 13, "not unique"),
    "undeclared path parameter": (
        BASE.replace("  /items/{id}:\n", "  /items/{id}/{sub}:\n"), 8, "'sub'"),
    "path parameter not in the path": (
        BASE.replace("  /items/{id}:\n", "  /items:\n"), 7, "not in the path"),
    "duplicate parameter": (
        BASE.replace("      operationId: get_item\n", "      operationId: get_item\n"
                     "      parameters:\n        - {name: q, in: query, schema: {type: string}}"
                     "\n        - {name: q, in: query, schema: {type: integer}}\n"), 12,
        "duplicate parameter"),
    "duplicate tag": (
        BASE.replace("tags: [{name: a}]", "tags: [{name: a}, {name: a, description: again}]"),
        3, "duplicate tag"),
    "required but undefined with allOf": (
        BASE.replace("required: [id]", "required: [id, colour]"), 23, "colour"),
    "invalid default": (BASE.replace("default: 1", "default: one"), 25,
                        "default value does not match"),
}


def osv_errors(spec: Spec) -> list[str]:
    validator = OpenAPIV30SpecValidator(spec.document)
    return [str(e) for e in validator.iter_errors()]


def test_the_base_document_is_valid_for_both(tmp_path: Path) -> None:
    path = tmp_path / "spec.yaml"
    path.write_text(BASE, encoding="utf-8")
    spec = Spec.from_path(path)
    assert osv_errors(spec) == []
    assert lint_spec(spec, rules=[ValidOpenAPI()]) == []


@pytest.mark.parametrize("case", sorted(BROKEN))
def test_each_semantic_error_is_found_by_both_and_located(tmp_path: Path, case: str) -> None:
    text, line, words = BROKEN[case]
    path = tmp_path / "spec.yaml"
    path.write_text(text, encoding="utf-8")
    spec = Spec.from_path(path)
    assert osv_errors(spec), "openapi-spec-validator should reject this too"
    findings = lint_spec(spec, rules=[ValidOpenAPI()])
    assert [(f.line, words in f.message) for f in findings] == [(line, True)], findings


HOOKS = """\
openapi: 3.1.0
info: {title: T, version: '1'}
paths:
  /a:
    post:
      operationId: subscribe
      responses: {'201': {description: ok}}
      callbacks:
        events: {$ref: '#/components/callbacks/Events'}
  /b:
    post:
      operationId: subscribe_more
      responses: {'201': {description: ok}}
      callbacks:
        events: {$ref: '#/components/callbacks/Events'}
webhooks:
  ping:
    post:
      operationId: ping
      parameters:
        - {name: q, in: query, schema: {type: string}}
      responses: {'200': {description: ok}}
components:
  callbacks:
    Events:
      '{$request.body#/url}':
        post:
          operationId: deliver
          responses: {'200': {description: ok}}
"""
HOOKS_BROKEN = {
    "webhook reuses a path's operationId": (
        HOOKS.replace("operationId: ping", "operationId: subscribe"), 19,
        "'subscribe' of webhook ping: POST is not unique: also used by POST /a"),
    # Paths come first, each followed by its callbacks, then webhooks.
    "callback and webhook share an operationId": (
        HOOKS.replace("operationId: deliver", "operationId: ping"), 19,
        "'ping' of webhook ping: POST is not unique: also used by POST /a callback events POST "
        "{$request.body#/url}"),
    "duplicate webhook parameter": (
        HOOKS.replace("        - {name: q, in: query, schema: {type: string}}\n",
                      "        - {name: q, in: query, schema: {type: string}}\n" * 2), 22,
        "duplicate parameter 'q'"),
}


def test_webhooks_and_shared_callbacks_are_not_path_templates_nor_duplicates(
        tmp_path: Path) -> None:
    path = tmp_path / "spec.yaml"
    path.write_text(HOOKS, encoding="utf-8")
    assert lint_spec(Spec.from_path(path), rules=[ValidOpenAPI()]) == []


@pytest.mark.parametrize("case", sorted(HOOKS_BROKEN))
def test_webhooks_and_callbacks_share_the_operation_checks(tmp_path: Path, case: str) -> None:
    text, line, words = HOOKS_BROKEN[case]
    path = tmp_path / "spec.yaml"
    path.write_text(text, encoding="utf-8")
    findings = lint_spec(Spec.from_path(path), rules=[ValidOpenAPI()])
    assert [(f.line, words in f.message) for f in findings] == [(line, True)], findings


def test_a_schema_error_does_not_hide_the_other_findings(tmp_path: Path) -> None:
    """Structural and semantic SF001 errors, and other rules' findings, in one run."""
    spec = tmp_path / "api.yaml"
    spec.write_text(
        "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths:\n"
        "  /books/{id}:\n    get:\n      operationId: getBook\n      bogus: 1\n"
        "      responses: {'200': {description: ok}}\n"
        "  /authors:\n    get:\n      operationId: getBook\n"
        "      responses: {'200': {description: ok}}\n", encoding="utf-8")
    messages = [(f.rule, f.message) for f in lint_spec(Spec.from_path(spec))]
    assert ("SF001", "'bogus' is not allowed here") in messages
    assert any(rule == "SF001" and "not unique" in m for rule, m in messages)
    assert any(rule == "SF001" and "path parameter 'id'" in m for rule, m in messages)
    assert any(rule == "SF301" for rule, _ in messages)


def test_example_null_is_one_finding_in_json_terms(tmp_path: Path) -> None:
    spec = tmp_path / "api.yaml"
    spec.write_text(
        "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths: {}\ncomponents:\n"
        "  schemas:\n    Pet:\n      type: object\n      properties:\n"
        "        name: {type: string, example: null}\n"
        "        flag: {type: boolean, enum: [true], example: false}\n", encoding="utf-8")
    found = [f for f in lint_spec(Spec.from_path(spec)) if f.rule == "SF305"]
    by_line = {f.line: f.message for f in found}
    assert len(found) == len(by_line) == 2
    assert by_line[9].endswith("null is not allowed here (the schema does not accept null)")
    assert by_line[10].endswith("false is not one of [true]")
    assert not any("None" in f.message or "True" in f.message for f in found)
