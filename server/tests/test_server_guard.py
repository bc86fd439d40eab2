"""The ASGI guard: body cap (declared and streamed), UTF-8, JSON depth — on a real server."""

from __future__ import annotations

from collections.abc import Iterator

import orjson
import pytest
from specfirst.server.guard import json_depth_exceeds
from specfirst.server.routes import MAX_BODY_EXTENSION, RouteTable
from specfirst.server.tests.conftest import Tenant
from specfirst.server.tests.live import LiveServer

PROBLEM = "application/problem+json"


@pytest.mark.parametrize("body,limit,expected", [
    (b'{"a": [1, {"b": 2}]}', 3, False),
    (b'{"a": [1, {"b": 2}]}', 2, True),
    (b'"[[[[[["', 1, False),
    (b'["\\"[[[[", "\\\\", [[]]]', 3, False),
    (b'["\\\\"[[[[[[', 3, True),
    (b"[" * 10_000, 32, True),
    (b"[[]]", 2, False),  # as many brackets as the limit: cannot nest deeper
    (b"[[[]]]", 2, True),
    (b'{"a": "[[[[[[", "b": [1]}', 2, False),  # many brackets, all but one inside a string
])
def test_json_depth(body: bytes, limit: int, expected: bool) -> None:
    assert json_depth_exceeds(body, limit) is expected


def test_body_limits(live_server: LiveServer, tenant: Tenant) -> None:
    headers = {**tenant.headers, "content-type": "application/json"}
    big = b'{"name": "' + b"x" * (2 * 1024 * 1024) + b'"}'

    def stream() -> Iterator[bytes]:
        yield b'{"name": "'
        for _ in range(40):
            yield b"x" * 65536
        yield b'"}'

    with live_server.client() as http:
        declared = http.post("/api/v1/customers", content=big, headers=headers)
        assert declared.status_code == 413
        assert declared.headers["content-type"] == PROBLEM
        streamed = http.post("/api/v1/customers", content=stream(), headers=headers)
        assert streamed.status_code == 413
        bad_utf8 = http.post("/api/v1/customers", content=b'{"name": "\xff\xfe"}',
                             headers=headers)
        assert bad_utf8.status_code == 400 and bad_utf8.headers["content-type"] == PROBLEM
        deep = http.post("/api/v1/customers",
                         content=b'{"name": "x", "properties": ' + b"[" * 5000 + b"]" * 5000
                         + b"}", headers=headers)
        assert deep.status_code == 400 and deep.headers["content-type"] == PROBLEM
        for lone in (b'{"name": "\\ud800x"}', b'{"name": "x", "properties": {"\\udc00": 1}}'):
            surrogate = http.post("/api/v1/customers", content=lone, headers=headers)
            assert surrogate.status_code == 400, surrogate.text
            assert surrogate.headers["content-type"] == PROBLEM
        ok = http.post("/api/v1/customers", json={"name": "fine \U0001F600"},
                       headers=tenant.headers)
        assert ok.status_code == 201 and ok.json()["name"] == "fine \U0001F600"


def test_import_body_cap(live_server: LiveServer, tenant: Tenant) -> None:
    """`create_import` declares its own cap in the spec (16 MiB), so the documented 10,000 rows
    fit although they exceed the 1 MiB every other operation keeps."""
    rows = [{"name": f"Customer {n:05d}", "email": f"customer{n:05d}@example.com",
             "phone": "+44 20 7946 0000", "source": "import", "tags": ["imported"]}
            for n in range(10_000)]
    body = orjson.dumps({"object_type": "customers", "records": rows})
    assert 1024 * 1024 < len(body) < 16 * 1024 * 1024
    headers = {**tenant.headers, "content-type": "application/json"}
    oversized = b'{"object_type": "customers", "records": [{"name": "' + b"x" * (
        16 * 1024 * 1024) + b'"}]}'

    def stream() -> Iterator[bytes]:
        yield oversized[:1024]
        for start in range(1024, len(oversized), 1024 * 1024):
            yield oversized[start:start + 1024 * 1024]

    with live_server.client() as http:
        elsewhere = http.post("/api/v1/customers/batch/create", content=body, headers=headers)
        assert elsewhere.status_code == 413 and elsewhere.headers["content-type"] == PROBLEM
        accepted = http.post("/api/v1/imports", content=body, headers=headers)
        assert accepted.status_code == 202, accepted.text
        assert accepted.json()["counts"]["total"] == 10_000
        declared = http.post("/api/v1/imports", content=oversized, headers=headers)
        assert declared.status_code == 413 and declared.headers["content-type"] == PROBLEM
        assert "16777216" in declared.json()["detail"]
        streamed = http.post("/api/v1/imports", content=stream(), headers=headers)
        assert streamed.status_code == 413


def test_route_body_caps() -> None:
    document = {"paths": {
        "/imports": {"get": {}, "post": {MAX_BODY_EXTENSION: 2048}},
        "/imports/{id}": {"patch": {MAX_BODY_EXTENSION: True}, "delete": {}},
        "/other": {"post": {MAX_BODY_EXTENSION: -1}},
    }}
    routes = RouteTable(document, "/api")
    assert routes.max_body("/api/imports", "POST") == 2048
    assert routes.max_body("/api/imports", "GET") is None
    assert routes.max_body("/api/imports/abc", "PATCH") is None  # not an integer: ignored
    assert routes.max_body("/api/other", "POST") is None
    assert routes.max_body("/elsewhere", "POST") is None
