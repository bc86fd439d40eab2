"""The contract suite fails when the CRM server is wrong: bugs planted in front of the real
server (an ASGI layer that changes what it answers, or whose token it sees) are each caught."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterator
from typing import Any

import pytest
from specfirst.contract_tests.pipeline import CheckIdentities
from specfirst.contract_tests.runner import RunOptions, run_contract_tests
from specfirst.contract_tests.tests.crm import create_tokens, crm_spec, database_url, in_process_app
from specfirst.generator.loader import Spec

TARGET = "/api/v1/customers"


def _with_token(scope: dict[str, Any], token: str) -> dict[str, Any]:
    headers = [(k, v) for k, v in scope["headers"] if k.lower() != b"authorization"]
    headers.append((b"authorization", f"Bearer {token}".encode()))
    return {**scope, "headers": headers}


class LeakedIdentity:
    """Serves requests made with `leaked` as if they came with `token`: the server no longer
    tells the two apart (a missing scope check, or a missing tenant filter)."""

    def __init__(self, app: Any, leaked: str, token: str):
        self.app = app
        self.leaked = f"Bearer {leaked}".encode()
        self.token = token

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "http" and (b"authorization", self.leaked) in [
                (k.lower(), v) for k, v in scope["headers"]]:
            scope = _with_token(scope, self.token)
        await self.app(scope, receive, send)


class PlantedBug:
    """Wraps the CRM app and breaks one operation in one way."""

    def __init__(self, app: Any, bug: str, token: str):
        self.app = app
        self.bug = bug
        self.token = token

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http" or scope["path"] != TARGET or scope["method"] != "GET":
            await self.app(scope, receive, send)
            return
        if self.bug == "missing_auth":
            await self.app(_with_token(scope, self.token), receive, send)
            return
        start: dict[str, Any] = {}
        chunks: list[bytes] = []

        async def capture(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                start.update(message)
                return
            chunks.append(message.get("body", b""))
            if message.get("more_body"):
                return
            status, body = start["status"], b"".join(chunks)
            if status == 200 and self.bug == "undocumented_status":
                status = 203
            if status == 200 and self.bug == "schema_violation":
                data = json.loads(body)
                data["next_cursor"] = 12345
                body = json.dumps(data).encode()
            headers = [(k, v) for k, v in start["headers"] if k.lower() != b"content-length"]
            headers.append((b"content-length", str(len(body)).encode()))
            await send({"type": "http.response.start", "status": status, "headers": headers})
            await send({"type": "http.response.body", "body": body})

        await self.app(scope, receive, capture)


@pytest.fixture(scope="module")
def crm() -> Iterator[tuple[Spec, Any, CheckIdentities]]:
    spec = crm_spec()
    with database_url("sqlite") as url:
        app = in_process_app(url)
        yield spec, app, create_tokens(url, spec)


def test_the_unbroken_operation_passes(crm: tuple[Spec, Any, CheckIdentities]) -> None:
    spec, app, tokens = crm
    result = run_contract_tests(spec, RunOptions(
        app=app, token=tokens.token, operation_ids=("list_customers",), max_examples=5, seed=1,
        phases=("examples", "coverage", "fuzzing")))
    assert not result.failed, [(f.check, f.message) for f in result.failures]
    assert list(result.operations) == ["GET /api/v1/customers"]


@pytest.mark.parametrize("bug, check", [
    ("undocumented_status", "status_code_conformance"),
    ("schema_violation", "response_schema_conformance"),
    ("missing_auth", "ignored_auth"),
])
def test_a_planted_bug_is_caught(crm: tuple[Spec, Any, CheckIdentities], bug: str,
                                 check: str) -> None:
    spec, app, tokens = crm
    result = run_contract_tests(spec, RunOptions(
        app=PlantedBug(app, bug, tokens.token), token=tokens.token,
        operation_ids=("list_customers",), max_examples=5, seed=1,
        phases=("examples", "coverage", "fuzzing")))
    assert result.failed
    assert check in {failure.check for failure in result.failures}, \
        [(f.check, f.title) for f in result.failures]


@pytest.mark.parametrize("leak, check", [
    ("second_token", "scope_enforcement"),
    ("other_tenant_token", "tenant_isolation"),
])
def test_a_broken_authorization_is_caught(crm: tuple[Spec, Any, CheckIdentities], leak: str,
                                          check: str) -> None:
    spec, app, tokens = crm
    leaked = getattr(tokens, leak)
    assert leaked is not None
    options = RunOptions(
        app=LeakedIdentity(app, leaked, tokens.token), token=tokens.token,
        second_token=tokens.second_token, second_token_scopes=tokens.second_token_scopes,
        other_tenant_token=tokens.other_tenant_token,
        operation_ids=("create_customer", "get_customer"), max_examples=5, seed=1,
        phases=("examples", "stateful"))
    result = run_contract_tests(spec, options)
    found = {(failure.check, failure.operation) for failure in result.failures}
    expected = "POST /api/v1/customers" if leak == "second_token" else "GET /api/v1/customers/{id}"
    assert (check, expected) in found, found
    # and the same run against the real server passes: the probes were refused as they should be
    clean = run_contract_tests(spec, dataclasses.replace(options, app=app))
    assert check not in {failure.check for failure in clean.failures}, \
        [(f.check, f.message) for f in clean.failures]
    assert 403 in clean.operations["POST /api/v1/customers"].seen_statuses
