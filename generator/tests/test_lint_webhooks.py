"""Webhooks and callbacks are linted like the operations under `paths`, except by the rules
about what the API itself serves; findings in them are located through `$ref`s."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from specfirst.generator.lint import lint_spec
from specfirst.generator.lint.config import LintConfig
from specfirst.generator.lint.rule import ALL_OPERATIONS, PATH_OPERATIONS, LintContext, Rule
from specfirst.generator.lint.rules import ALL_RULES
from specfirst.generator.loader import Spec
from specfirst.generator.tests.test_lint_rules import expected_lines

CASE = Path(__file__).parent / "lint_cases" / "webhooks"
GUIDE = Path(__file__).resolve().parents[2] / "docs" / "lint.md"
STRICT = LintConfig.from_table({}, ruleset="strict", plugins=False)
HOOK_FILES = ("webhooks/order-paid.yaml", "callbacks/order-shipped.yaml")


def relative(file: str) -> str:
    return Path(file).as_posix().split("lint_cases/webhooks/")[1]


def test_every_finding_in_the_webhook_and_callback_files_is_a_marked_one() -> None:
    findings = lint_spec(Spec.from_path(CASE / "api.yaml"), config=STRICT)
    found = {(f.rule, relative(f.file), f.line) for f in findings}
    marked = set()
    for file in HOOK_FILES:
        for rule in ALL_RULES:
            marked |= {(rule.id, file, line) for name, line in expected_lines(CASE / file, rule.id)
                       if name == Path(file).name}
    # No rule about what the API serves (security, 401/403/429, problem+json errors, bounded
    # and closed request bodies) fires on the webhook or the callback; the root file is clean.
    assert found == marked


def test_findings_name_the_file_line_and_column_behind_the_refs() -> None:
    findings = lint_spec(Spec.from_path(CASE / "api.yaml"), config=STRICT)
    located = {(f.rule, relative(f.file), f.line, f.column): f for f in findings}
    # The callback's operationId, in the file `components/callbacks/OrderShipped` refers to.
    duplicate = located[("SF001", "callbacks/order-shipped.yaml", 5, 18)]
    assert "'create_order'" in duplicate.message and "POST /orders" in duplicate.message
    assert duplicate.pointer.startswith("/components/callbacks/OrderShipped/")
    # The webhook's example value, in the file `webhooks/orderPaid` refers to.
    example = located[("SF305", "webhooks/order-paid.yaml", 20, 17)]
    assert example.pointer == \
        "/webhooks/orderPaid/post/requestBody/content/application~1json/example/code"
    summary = located[("SF301", "webhooks/order-paid.yaml", 3, 1)]
    assert summary.message == "webhook orderPaid: POST has no summary"


def test_a_callback_shared_by_two_operations_is_listed_once() -> None:
    ctx = LintContext(Spec.from_path(CASE / "api.yaml"))
    ops = ctx.operation_list()
    assert [(op.kind, op.path) for op in ops] == [
        ("path", "/orders"), ("callback", "{$request.body#/callbackUrl}"),
        ("path", "/returns"), ("webhook", "orderPaid")]
    assert [op.kind for op in ctx.operation_list(PATH_OPERATIONS)] == ["path", "path"]
    assert ctx.operation_list(ALL_OPERATIONS) == ops


OPERATION = """\
      post:
        operationId: order_paid
        summary: Order paid
        description: The order was paid.
        requestBody:
          content:
            application/json:
              schema:
                type: object
                properties:
                  code: {type: string}
              example: {code: x}
        responses:
          '200':
            description: Received.
          '500':
            description: Failed.
            content:
              application/json:
                schema: {type: object, properties: {error: {type: string}}}
"""
SECURED = OPERATION.replace("        summary:",
                            "        security: [{bearer: []}]\n        summary:")
# What the rules about the served API say of OPERATION, without and with a security requirement.
SERVED = [(OPERATION, {"SF501", "SF504", "SF506", "SF509", "SF510"}),
          (SECURED, {"SF504", "SF506", "SF508", "SF509", "SF510"})]
HEAD = ("openapi: 3.1.0\ninfo: {title: T, version: '1'}\n"
        "servers: [{url: 'https://api.example.com/v1'}]\n"
        "components:\n  securitySchemes:\n    bearer: {type: http, scheme: bearer}\n")


def lint_text(tmp_path: Path, text: str) -> set[str]:
    path = tmp_path / "api.yaml"
    path.write_text(text, encoding="utf-8")
    return {f.rule for f in lint_spec(Spec.from_path(path), config=STRICT)}


@pytest.mark.parametrize(("operation", "served"), SERVED, ids=["public", "secured"])
def test_the_same_operation_is_held_to_the_served_rules_only_under_paths(
        tmp_path: Path, operation: str, served: set[str]) -> None:
    as_path = lint_text(tmp_path, HEAD + "paths:\n  /v1/orders:\n" + operation)
    assert served <= as_path
    assert "SF305" not in as_path  # the example is valid: the finding sets differ by scope only
    as_webhook = lint_text(tmp_path, HEAD + "paths: {}\nwebhooks:\n  orderPaid:\n" + operation)
    assert not served & as_webhook
    callback = "".join("      " + line if line.strip() else line
                       for line in operation.splitlines(keepends=True))
    as_callback = lint_text(
        tmp_path, HEAD + "paths:\n  /v1/hooks:\n    post:\n      operationId: subscribe\n"
        "      summary: Subscribe\n      description: Subscribes.\n      security: []\n"
        "      responses:\n        '201': {description: Created.}\n"
        "        '429': {description: Slow down.}\n"
        "      callbacks:\n        paid:\n          '{$request.body#/url}':\n" + callback)
    assert not served & as_callback


def test_the_guide_lists_the_rules_that_skip_webhooks_and_callbacks() -> None:
    text = GUIDE.read_text(encoding="utf-8")
    section = text.split("## Webhooks and callbacks", 1)[1].split("\n## ", 1)[0]
    listed = set(re.findall(r"\[(SF\d{3})\]\(rules/", section))
    assert listed == {r.id for r in ALL_RULES if r.operation_kinds == PATH_OPERATIONS}


@pytest.mark.parametrize("rule", [r for r in ALL_RULES if r.operation_kinds == PATH_OPERATIONS],
                         ids=lambda r: r.id)
def test_each_paths_only_rule_says_so_on_its_page(rule: type[Rule]) -> None:
    page = GUIDE.parent / "rules" / f"{rule.id}.md"
    assert "webhooks and callbacks" in page.read_text(encoding="utf-8").lower()
