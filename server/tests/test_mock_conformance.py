"""The mock passes Schemathesis' response-conformance checks (status codes, content types,
response schemas) on real public specs: per operation, with few examples and a time budget.
On a few small public specs it also passes plain Schemathesis as the benchmark
(`specfirst.contract_tests.benchmarks.mock_conformance`) runs it — every default check, negative
data included — on the operations a conforming server can pass (the benchmark's rules)."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import hypothesis
import pytest
import schemathesis
from hypothesis import HealthCheck, given
from schemathesis.core.result import Err
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from specfirst.generator.loader import Spec
from specfirst.server.mock import CallbackPolicy, create_mock_app

CHECKS = [status_code_conformance, content_type_conformance, response_schema_conformance]


@dataclass
class Conformance:
    spec: str
    passed: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)
    skipped: dict[str, str] = field(default_factory=dict)  # schemathesis cannot generate
    unmockable: dict[str, str] = field(default_factory=dict)  # the mock said so at start-up
    unmockable_failed: dict[str, str] = field(default_factory=dict)

    @property
    def tested(self) -> int:
        return len(self.passed) + len(self.failed)

    @property
    def rate(self) -> float:
        return len(self.passed) / self.tested if self.tested else 1.0


def _check_operation(operation: Any, app: Any, base_url: str, max_examples: int) -> list[str]:
    """Failures of the response-conformance checks over a few generated requests."""
    failures: list[str] = []

    @hypothesis.settings(max_examples=max_examples, deadline=None, database=None,
                         derandomize=True, suppress_health_check=list(HealthCheck),
                         phases=[hypothesis.Phase.explicit, hypothesis.Phase.generate])
    @given(case=operation.as_strategy())
    def exercise(case: Any) -> None:
        # a bearer token, as a client holding one sends it (Schemathesis makes up API keys and
        # HTTP credentials, but no OAuth 2 token)
        response = case.call(base_url=base_url, app=app,
                             headers={"Authorization": "Bearer mock-token"}
                             if "authorization" not in {k.lower() for k in case.headers or {}}
                             else None)
        try:
            case.validate_response(response, checks=CHECKS)
        except (Exception, BaseExceptionGroup) as exc:  # a failure: record it, keep going
            failures.append(f"{type(exc).__name__}: {str(exc)[:400]}")

    try:
        exercise()
    except hypothesis.errors.Unsatisfiable:
        raise
    except (Exception, BaseExceptionGroup) as exc:
        failures.append(f"{type(exc).__name__}: {str(exc)[:400]}")
    return failures


def run_conformance(path: Any, *, max_examples: int = 3, seed: int = 7,
                    budget_seconds: float = 60.0, auth_check: bool = False) -> Conformance:
    """With `auth_check=False` the mock answers as it does behind `--no-auth-check`: the
    credentials Schemathesis makes up are not judged, only the answers to what it sends."""
    spec = Spec.from_path(path)
    # answers are what is measured; callbacks would send requests to URLs the fuzzer made up
    mocked = create_mock_app(spec, seed=seed, callbacks=CallbackPolicy(enabled=False),
                             auth_check=auth_check)
    unmockable = dict(mocked.report.unmockable)
    schema = schemathesis.openapi.from_dict(spec.document)
    base_url = f"http://127.0.0.1{mocked.report.base_path}"
    result = Conformance(str(path))
    deadline = time.monotonic() + budget_seconds
    for found in schema.get_all_operations():
        if time.monotonic() > deadline:
            break
        if isinstance(found, Err):  # schemathesis cannot read this operation
            result.skipped[str(found.err())[:80]] = "invalid for schemathesis"
            continue
        operation = found.ok()
        label = operation.label
        try:
            failures = _check_operation(operation, mocked.app, base_url, max_examples)
        except hypothesis.errors.Unsatisfiable as exc:
            result.skipped[label] = f"no requests generated: {exc}"[:200]
            continue
        if label in unmockable:
            result.unmockable[label] = unmockable[label]
            # an operation without a documented response cannot conform; anything else must
            if failures and "no responses are documented" not in unmockable[label] \
                    and "cannot route" not in unmockable[label]:
                result.unmockable_failed[label] = failures[0]
        elif failures:
            result.failed[label] = failures[0]
        else:
            result.passed.append(label)
    return result


FAST_SPECS = ["3.0/json/petstore.json", "3.0/json/polymorphism.json",
              "3.0/json/discriminators.json", "3.0/json/schema-types.json",
              "3.1/json/train-travel.json", "3.1/json/petstore.json"]


@pytest.mark.parametrize("name", FAST_SPECS)
def test_mock_conforms_on_a_few_public_specs(oas_examples_dir: Path, name: str) -> None:
    result = run_conformance(oas_examples_dir / name, max_examples=3, budget_seconds=40)
    assert not result.unmockable_failed, result.unmockable_failed
    assert result.tested >= 1
    assert result.rate >= 0.95, result.failed


@pytest.mark.slow
def test_mock_conforms_on_every_public_spec(public_specs: list[Path],
                                             large_public_spec: Path) -> None:
    """>= 95% of the operations the mock can mock pass, per spec. Operations it says at
    start-up it cannot mock (no documented response, a route Connexion cannot build) are
    listed, and not counted."""
    below = {}
    for path in [*public_specs, large_public_spec]:
        budget = 240.0 if path == large_public_spec else 30.0
        result = run_conformance(path, max_examples=2, budget_seconds=budget)
        if result.rate < 0.95:
            below[path.name] = (result.rate, dict(list(result.failed.items())[:3]))
    assert below == {}


def test_unconformable_operations_are_named_by_rule() -> None:
    """The benchmark's rules, on a spec of its own: an operation that takes input and
    documents no rejection, one documenting no status Schemathesis accepts for valid data,
    one whose Authorization must be answered 401 and documents none (or a 401 no body can
    satisfy); the rest conformable."""
    from specfirst.contract_tests.benchmarks.mock_conformance import unconformable

    body = {"content": {"application/json": {"schema": {"type": "object"}}}}
    ok = {"200": {"description": "ok"}}
    base = {"type": "object", "properties": {"error": {"type": "string"}}}
    twins = {"oneOf": [{"allOf": [base, {"description": "a"}]},
                       {"allOf": [base, {"description": "b"}]}]}
    document = {"openapi": "3.0.3", "info": {"title": "t", "version": "1"},
                "components": {"securitySchemes": {
                    "basic": {"type": "http", "scheme": "basic"},
                    "key": {"type": "apiKey", "in": "header", "name": "X-Key"}}},
                "paths": {
                    "/a": {"post": {"requestBody": body, "responses": ok},
                           "get": {"responses": ok},
                           "put": {"requestBody": body, "responses": {**ok, "default": {
                               "description": "error"}}}},
                    "/b": {"post": {"requestBody": body, "responses": {
                        "400": {"description": "bad"}, "405": {"description": "no"}}}},
                    "/c": {"get": {"security": [{"basic": []}], "responses": {
                        **ok, "400": {"description": "bad"}}},
                           "put": {"security": [{"key": []}], "responses": {
                               **ok, "400": {"description": "bad"}}},
                           "post": {"security": [{"basic": []}], "responses": {
                               **ok, "401": {"description": "no", "content": {
                                   "application/json": {"schema": twins}}}}},
                           "patch": {"security": [{"basic": []}], "responses": {
                               **ok, "401": {"description": "no"}}}}}}
    assert unconformable(document) == {
        "POST /a": "no documented rejection",
        "POST /b": "no documented acceptance",
        "GET /c": "no documented 401",
        "POST /c": "no documented 401",
    }


@pytest.mark.parametrize("name", ["3.1/json/train-travel.json", "3.0/json/petstore.json",
                                  "3.0/json/uspto.json"])
def test_mock_passes_every_default_check_on_conformable_operations(
        oas_examples_dir: Path, tmp_path: Path, name: str) -> None:
    """Plain Schemathesis (default checks; examples, coverage and fuzzing phases; negative
    data) against `specfirst mock`, as the benchmark runs it: >= 95% of the operations a
    conforming server can pass conform, and every excluded one is named by a rule."""
    from specfirst.contract_tests.benchmarks.mock_conformance import run_one, unconformable

    spec = oas_examples_dir / name
    outcome = run_one(Path(name).stem, spec, "mock", examples=3, seed=1, prism=Path("prism"),
                      folder=tmp_path, workers=1)
    assert outcome.startup_seconds is not None, outcome.failures
    assert outcome.conformable >= 3
    assert set(outcome.excluded) <= set(unconformable(json.loads(spec.read_text())))
    failed = {k: v for k, v in outcome.failures.items() if k not in outcome.excluded}
    assert outcome.conformable_conforming >= 0.95 * outcome.conformable, failed


def _closed(required: list[str]) -> dict[str, Any]:
    return {"type": "object", "additionalProperties": False, "allOf": [{
        "type": "object", "required": required,
        "properties": {"id": {"type": "string"}, "size": {"type": "integer"}}}]}


def _success(schema: dict[str, Any]) -> dict[str, Any]:
    return {"200": {"description": "ok", "content": {"application/json": {"schema": schema}}},
            "400": {"description": "bad"}}


CLOSED = {
    "openapi": "3.0.3", "info": {"title": "t", "version": "1"},
    "components": {"securitySchemes": {
        "key": {"type": "apiKey", "in": "header", "name": "X-Key"}}},
    "paths": {
        "/optional": {"get": {"responses": _success(_closed([]))}},
        "/required": {"get": {"responses": _success(_closed(["id"]))}},
        "/own": {"get": {"responses": _success({**_closed(["id"]), "required": ["id"]})}},
        "/empty": {"get": {"responses": _success({"oneOf": [
            {"type": "object", "additionalProperties": False},
            {"type": "object", "additionalProperties": False, "allOf": [
                {"properties": {"id": {"type": "string"}}}]}]})}},
        "/keyed": {"get": {"security": [{"key": []}], "responses": {
            "200": {"description": "ok"}, "404": {"description": "none"}}}},
        "/keyed/{id}": {"get": {"security": [{"key": []}], "parameters": [
            {"name": "id", "in": "path", "required": True, "schema": {"type": "string"}}],
            "responses": {"200": {"description": "ok"}, "404": {"description": "none"}}}},
    }}


def test_success_answers_no_value_satisfies_are_named_by_rule() -> None:
    """`no valid success`: the documented success admits no value as Schemathesis reads a
    response (a closed object whose `allOf` requires a member it does not list, or a `oneOf`
    of two branches that admit only `{}`); a closed object's own required members are allowed.
    `no documented refusal of a missing key`: an API key header, and none of the statuses its
    absence must get (404 counts on a path with variables)."""
    from specfirst.contract_tests.benchmarks.mock_conformance import unconformable

    assert unconformable(CLOSED) == {
        "GET /required": "no valid success",
        "GET /empty": "no valid success",
        "GET /keyed": "no documented refusal of a missing key",
    }


@pytest.mark.parametrize(("path", "passes"), [("/optional", True), ("/own", True),
                                              ("/required", False), ("/empty", False)])
def test_schemathesis_judges_the_mock_as_the_rule_says(tmp_path: Path, path: str,
                                                      passes: bool) -> None:
    """What the rule claims, checked against Schemathesis itself: the mock's answer conforms
    where some value can, and cannot where the rule says no value does (the mock then answers
    as the author meant, which no response checker accepts either)."""
    import datetime

    import httpx
    from schemathesis.core.failures import Failure, FailureGroup
    from schemathesis.core.transport import Response

    document = {**CLOSED, "security": []}
    spec_path = tmp_path / "closed.json"
    spec_path.write_text(json.dumps(document))
    http = create_mock_app(Spec.from_path(spec_path), seed=3).app.test_client()
    answer = http.get(path)
    assert answer.status_code == 200
    sent = httpx.Response(200, content=answer.content, headers=dict(answer.headers),
                          request=httpx.Request("GET", f"http://mock{path}"))
    sent.read()
    sent.elapsed = datetime.timedelta(0)
    operation = schemathesis.openapi.from_dict(document)[path]["GET"]
    try:
        operation.validate_response(Response.from_httpx(sent, verify=True))
        judged = True
    except (Failure, FailureGroup):
        judged = False
    assert judged is passes
