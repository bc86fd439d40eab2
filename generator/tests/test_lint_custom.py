"""Custom rules: the JSONPath subset, declarative given/then rules, and plugin rules."""

from __future__ import annotations

import sys
import textwrap
from collections.abc import Iterator, Mapping
from pathlib import Path

import pytest
from specfirst.generator.errors import ConfigError
from specfirst.generator.lint import lint_spec
from specfirst.generator.lint.config import LintConfig
from specfirst.generator.lint.jsonpath import JSONPath, JSONPathError
from specfirst.generator.loader import Spec

DOC = {
    "info": {"title": "t"},
    "paths": {
        "/a": {
            "get": {"tags": ["x"], "parameters": [{"in": "query", "name": "q"},
                                                  {"in": "path", "name": "id"}]},
            "post": {"summary": "S"},
        },
    },
}


@pytest.mark.parametrize(("expression", "pointers"), [
    ("$.info.title", ["/info/title"]),
    ("$['info']['title']", ["/info/title"]),
    ("$.paths[*][get,post]", ["/paths/~1a/get", "/paths/~1a/post"]),
    ("$.paths.*.*", ["/paths/~1a/get", "/paths/~1a/post"]),
    ("$.paths['/a'].get.parameters[1]", ["/paths/~1a/get/parameters/1"]),
    ("$.paths['/a'].get.parameters[-1].name", ["/paths/~1a/get/parameters/1/name"]),
    ("$..parameters[?(@.in == 'query')]", ["/paths/~1a/get/parameters/0"]),
    ("$..parameters[?(@.in != 'query')].name", ["/paths/~1a/get/parameters/1/name"]),
    ("$.paths[*][?(@property === 'post')]", ["/paths/~1a/post"]),
    ("$.paths[*][?(@.tags)]", ["/paths/~1a/get"]),
    ("$..[?(@.in == 'path' || @.name == 'q')].name",
     ["/paths/~1a/get/parameters/0/name", "/paths/~1a/get/parameters/1/name"]),
    ("$..summary", ["/paths/~1a/post/summary"]),
    ("$.nothing.here", []),
])
def test_jsonpath_subset(expression: str, pointers: list[str]) -> None:
    assert [p for _, p, _ in JSONPath(expression).find(DOC)] == pointers


@pytest.mark.parametrize("expression", [
    "paths", "$.paths[", "$..[?(__import__('os'))]", "$.a[?(@.x > 1)]", "$.a[1:2]",
])
def test_jsonpath_outside_the_subset_is_refused(expression: str) -> None:
    with pytest.raises(JSONPathError):
        JSONPath(expression)


SPEC = """\
openapi: 3.0.3
info: {title: Shop, version: '1', contact: {name: Team}}
paths:
  /orders:
    get:
      operationId: listOrders
      tags: [orders]
      responses: {'200': {description: ok}}
    post:
      operationId: create_order
      description: Creates one.
      responses: {'201': {description: ok}}
"""


def custom(tmp_path: Path, rules: Mapping[str, object]) -> list[tuple[str, str, int, str]]:
    spec_path = tmp_path / "spec.yaml"
    spec_path.write_text(SPEC, encoding="utf-8")
    config = LintConfig.from_table({"extends": "minimal", "custom-rules": rules}, plugins=False)
    return [(f.rule, f.pointer, f.line, f.message)
            for f in lint_spec(Spec.from_path(spec_path), config=config)
            if f.rule not in ("SF001", "SF002")]


OPS = "$.paths[*][get,put,post,delete,patch]"


@pytest.mark.parametrize(("then", "lines"), [
    ({"field": "tags", "function": "truthy"}, [9]),
    ({"field": "description", "function": "falsy"}, [11]),
    ({"field": "tags", "function": "defined"}, [9]),
    ({"field": "tags", "function": "undefined"}, [7]),
    ({"field": "operationId", "function": "casing", "functionOptions": {"type": "snake"}},
     [6]),
    ({"field": "operationId", "function": "pattern",
      "functionOptions": {"match": "^[a-z_]+$"}}, [6]),
    ({"field": "operationId", "function": "pattern",
      "functionOptions": {"notMatch": "^create"}}, [10]),
    ({"field": "@key", "function": "enumeration", "functionOptions": {"values": ["get"]}},
     [9]),
    ({"field": "operationId", "function": "length", "functionOptions": {"max": 10}}, [10]),
])
def test_declarative_functions(tmp_path: Path, then: dict[str, object],
                               lines: list[int]) -> None:
    found = custom(tmp_path, {"ops": {"given": OPS, "then": then}})
    assert [line for _, _, line, _ in found] == lines
    assert all(rule == "ops" for rule, *_ in found)


def test_declarative_rule_with_message_severity_and_id(tmp_path: Path) -> None:
    rules: dict[str, object] = {"contact-name": {
        "id": "ACME1", "given": "$.info.contact", "severity": "error",
        "message": "{{property}} {{error}} (at {{path}})",
        "then": [{"field": "email", "function": "truthy"}],
    }}
    found = custom(tmp_path, rules)
    assert found == [("ACME1", "/info/contact", 2, "email is missing or empty (at #/info/contact)")]


def test_custom_rules_obey_rule_settings(tmp_path: Path) -> None:
    rules = {"given": OPS, "then": {"field": "tags", "function": "truthy"}}
    spec_path = tmp_path / "spec.yaml"
    spec_path.write_text(SPEC, encoding="utf-8")
    config = LintConfig.from_table({"custom-rules": {"ops-tags": rules},
                                    "rules": {"ops-tags": "off"}}, plugins=False)
    assert not [f for f in lint_spec(Spec.from_path(spec_path), config=config)
                if f.rule == "ops-tags"]


@pytest.mark.parametrize(("rule", "message"), [
    ({"given": OPS, "then": {"function": "truthi"}}, "did you mean 'truthy'"),
    ({"given": OPS}, "needs both"),
    ({"given": "paths", "then": {"function": "truthy"}}, "given:"),
    ({"given": OPS, "then": {"feild": "x", "function": "truthy"}}, "did you mean 'field'"),
    ({"givne": OPS, "then": {"function": "truthy"}}, "did you mean 'given'"),
])
def test_bad_custom_rules_are_config_errors(rule: dict[str, object], message: str) -> None:
    with pytest.raises(ConfigError) as caught:
        LintConfig.from_table({"custom-rules": {"r": rule}}, plugins=False)
    assert message in str(caught.value)


@pytest.fixture
def plugin_on_path(tmp_path: Path) -> Iterator[Path]:
    """An installed distribution (a dist-info on sys.path) registering a lint rule."""
    package = tmp_path / "acme_lint"
    package.mkdir()
    (package / "__init__.py").write_text(textwrap.dedent('''
        from specfirst.generator.lint.finding import Severity
        from specfirst.generator.lint.rule import Rule


        class NoTrace(Rule):
            id = "ACME100"
            name = "no-trace"
            severity = Severity.ERROR
            summary = "No TRACE operations."

            def check(self, ctx):
                for op in ctx.operation_list():
                    if op.method == "get":
                        yield self.finding(ctx, op.pointer, "found a GET", key=True)


        RULES = [NoTrace]
    '''), encoding="utf-8")
    info = tmp_path / "acme_lint-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: acme-lint\nVersion: 1.0\n")
    (info / "entry_points.txt").write_text(
        "[specfirst.lint_rules]\nacme = acme_lint:RULES\n", encoding="utf-8")
    sys.path.insert(0, str(tmp_path))
    try:
        yield tmp_path
    finally:
        sys.path.remove(str(tmp_path))
        sys.modules.pop("acme_lint", None)


def test_plugin_rules_from_entry_points(plugin_on_path: Path) -> None:
    spec_path = plugin_on_path / "spec.yaml"
    spec_path.write_text(SPEC, encoding="utf-8")
    config = LintConfig.from_table({"extends": "minimal"})
    found = [(f.rule, f.line) for f in lint_spec(Spec.from_path(spec_path), config=config)
             if f.rule.startswith("ACME")]
    assert found == [("ACME100", 5)]
    config = LintConfig.from_table({"rules": {"no-trace": "off"}})
    assert not [f for f in lint_spec(Spec.from_path(spec_path), config=config)
                if f.rule.startswith("ACME")]
    assert "ACME100" not in {r.id for r in LintConfig.from_table({"plugins": False}).build()}
