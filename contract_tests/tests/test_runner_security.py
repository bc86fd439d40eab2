"""Credentials in the form each scheme names, exact masking, the base URL, no false pass."""

from __future__ import annotations

from typing import Any

import pytest
from specfirst.contract_tests.runner.credentials import (
    Placement,
    auth_config,
    placements_for,
    present,
    sensitive_names,
)
from specfirst.contract_tests.runner.results import OperationResult, RunResult
from specfirst.contract_tests.runner.servers import resolve_base_url
from specfirst.contract_tests.runner.verdict import coverage_of, unreached_successes

SCHEMES: dict[str, Any] = {
    "components": {"securitySchemes": {
        "bearer": {"type": "http", "scheme": "bearer"},
        "basic": {"type": "http", "scheme": "basic"},
        "header": {"type": "apiKey", "in": "header", "name": "X-API-Key"},
        "query": {"type": "apiKey", "in": "query", "name": "api_key"},
        "cookie": {"type": "apiKey", "in": "cookie", "name": "session_id"},
        "oauth": {"type": "oauth2", "flows": {}},
        "oidc": {"type": "openIdConnect", "openIdConnectUrl": "https://id.example/.well-known"},
        "mutual": {"type": "mutualTLS"},
    }},
    "security": [{"header": []}],
}


@pytest.mark.parametrize(("url", "server", "expected"), [
    ("http://127.0.0.1:8000", "/v1", "http://127.0.0.1:8000/v1"),
    ("http://127.0.0.1:8000/", "/v1/", "http://127.0.0.1:8000/v1"),
    ("http://127.0.0.1:8000/v1", "/v1", "http://127.0.0.1:8000/v1"),
    ("http://h:1/api", "v2", "http://h:1/api/v2"),
    ("http://h:1", "https://api.example.com/v1", "http://h:1"),
    ("http://h:1/", "", "http://h:1"),
    ("http://h:1", "/{version}", "http://h:1/v3"),
])
def test_a_relative_server_url_is_resolved_against_the_url(url: str, server: str,
                                                           expected: str) -> None:
    document = {"servers": [{"url": server, "variables": {"version": {"default": "v3"}}}]}
    assert resolve_base_url(url, document) == expected


def test_every_presentable_scheme_gets_the_token_in_its_own_form() -> None:
    table = auth_config(SCHEMES, "t0k", basic_user="me")
    assert table == {
        "bearer": {"bearer": "t0k"}, "basic": {"username": "me", "password": "t0k"},
        "header": {"api_key": "t0k"}, "query": {"api_key": "t0k"}, "cookie": {"api_key": "t0k"},
        "oauth": {"bearer": "t0k"}, "oidc": {"bearer": "t0k"},
    }
    assert auth_config({}, "t0k") == {}


def test_a_replayed_identity_replaces_the_credential_where_the_scheme_says() -> None:
    assert placements_for({}, SCHEMES) == [Placement("header", "X-API-Key", "apiKey")]
    operation: dict[str, Any] = {"security": [{"mutual": []}, {"query": [], "basic": []}]}
    placements = placements_for(operation, SCHEMES)
    assert [p.location for p in placements] == ["query", "header"]
    headers: dict[str, Any] = {"authorization": "Basic old", "X-Other": "1"}
    query: dict[str, Any] = {"api_key": "old", "q": "x"}
    cookies: dict[str, Any] = {}
    present(placements, "new", headers, query, cookies, basic_user="u")
    assert query == {"q": "x", "api_key": "new"}
    assert headers == {"X-Other": "1", "Authorization": "Basic dTpuZXc="}  # u:new
    present(placements_for({"security": [{"cookie": []}]}, SCHEMES), "c", headers, query,
            cookies)
    assert cookies == {"session_id": "c"}
    assert placements_for({"security": []}, SCHEMES) == []


def test_only_credential_names_are_sensitive() -> None:
    names = sensitive_names(SCHEMES)
    assert {"authorization", "cookie", "proxy-authorization", "x-api-key", "api_key",
            "session_id"} <= set(names)
    assert "author" not in names and "auth" not in names


def _operation(label: str, documented: list[str], seen: set[int]) -> OperationResult:
    method, path = label.split(" ")
    return OperationResult(method=method.lower(), path=path, documented_statuses=documented,
                           seen_statuses=seen, cases=len(seen))


def test_an_operation_that_never_reached_its_2xx_is_reported() -> None:
    result = RunResult(operations={
        "GET /a": _operation("GET /a", ["200", "401"], {401}),
        "GET /b": _operation("GET /b", ["200"], {200, 404}),
        "DELETE /c": _operation("DELETE /c", ["404"], {404}),
    }, base_url="http://h:1")
    assert [op.label for op in unreached_successes(result)] == ["GET /a"]
    coverage = coverage_of(result, {}, required=True)
    assert coverage.failed
    assert "GET /a: documents a 2xx and never got one (answers seen: 401)" in coverage.lines()
    assert not coverage_of(result, {}, required=False).failed
    assert coverage.base_url_note is None


def test_an_exempt_operation_does_not_fail_the_run_and_its_reason_is_shown() -> None:
    unreached = _operation("GET /a", ["200", "401"], {401})
    unreached.operation_id = "get_a"
    other = _operation("GET /b", ["200"], {404})
    other.operation_id = "get_b"
    result = RunResult(operations={"GET /a": unreached, "GET /b": other},
                       base_url="http://h:1")
    coverage = coverage_of(result, {}, required=True, exempt={"get_a": "made by an admin tool"})
    assert [op.label for op in coverage.unreached] == ["GET /b"]
    assert coverage.failed
    assert coverage.exempt_lines() == [
        "GET /a: no 2xx required (success-exempt: made by an admin tool)"]
    assert not coverage_of(result, {}, required=True,
                           exempt={"get_a": "x", "get_b": "y"}).failed


def test_nearly_all_404_names_the_base_url_used_and_the_specs() -> None:
    operations = {f"GET /{n}": _operation(f"GET /{n}", ["200"], {404}) for n in range(9)}
    operations["GET /x"] = _operation("GET /x", ["200"], {200})
    result = RunResult(operations=operations, base_url="http://127.0.0.1:9/")
    note = coverage_of(result, {"servers": [{"url": "/v1"}]}, required=False).base_url_note
    assert note is not None
    assert "http://127.0.0.1:9/" in note and "/v1" in note and "likely wrong" in note
    operations["GET /y"] = _operation("GET /y", ["200"], {200, 201})
    operations["GET /z"] = _operation("GET /z", ["200"], {200})
    assert coverage_of(result, {}, required=False).base_url_note is None


def test_a_stateful_failure_is_shown_whole() -> None:
    from rich.console import Console
    from specfirst.contract_tests.runner.console import print_summary
    from specfirst.contract_tests.runner.results import FailureRecord

    failure = FailureRecord(operation="GET /b/{id}", check="not_a_server_error",
                            title="Server error", message="boom", status=500,
                            curl="curl -X GET http://h/b/1", phase="stateful",
                            chain=("curl -X POST http://h/b", "curl -X PATCH http://h/b/1"))
    operation = _operation("GET /b/{id}", ["200"], {500})
    operation.failures.append(failure)
    console = Console(record=True, width=200)
    print_summary(console, RunResult(operations={"GET /b/{id}": operation}))
    text = console.export_text()
    lines = [line.strip() for line in text.splitlines()]
    start = lines.index("1/3 curl -X POST http://h/b")
    assert lines[start:start + 3] == ["1/3 curl -X POST http://h/b",
                                      "2/3 curl -X PATCH http://h/b/1",
                                      "3/3 curl -X GET http://h/b/1"]


def test_the_chain_of_a_case_is_its_ancestors_first_first() -> None:
    from types import SimpleNamespace

    from specfirst.contract_tests.runner.results import _ancestors

    def node(curl: str, parent: str | None) -> SimpleNamespace:
        return SimpleNamespace(value=SimpleNamespace(as_curl_command=lambda: curl),
                               parent_id=parent)

    recorder = SimpleNamespace(cases={"a": node("curl A", None), "b": node("curl B", "a"),
                                      "c": node("curl C", "b")})
    assert _ancestors(recorder, "c") == ("curl A", "curl B")
    assert _ancestors(recorder, "a") == ()
