"""Bulk imports over HTTP: 202 + job, row errors, conflict policies, caps, tenant isolation,
and a server killed in the middle of an import that resumes without losing or doubling rows."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from specfirst.server.crm.migrations.m0001_core import customers
from specfirst.server.crm.migrations.m0002_sync import import_jobs
from specfirst.server.tests.conftest import BACKENDS, Tenant, _database
from specfirst.server.tests.live import LiveServer, drop_database


def wait_done(http: httpx.Client, location: str, timeout: float = 60.0) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job = http.get(location)
        assert job.status_code == 200, job.text
        if job.json()["status"] in ("completed", "failed"):
            return dict(job.json())
        time.sleep(0.1)
    raise AssertionError("the import did not finish in time")


def start(http: httpx.Client, body: dict[str, Any], **headers: str) -> httpx.Response:
    answer = http.post("/api/v1/imports", json=body, headers=headers)
    assert answer.status_code == 202, answer.text
    return answer


def test_import_with_row_errors(live_server: LiveServer, tenant: Tenant) -> None:
    with live_server.client(headers=tenant.headers) as http:
        answer = start(http, {"object_type": "customers", "records": [
            {"name": "Charles Babbage", "email": "charles@example.com", "source": "event"},
            {"name": "", "email": "nobody@example.com"},
            {"email": "no-name@example.com"},
            {"name": "Mary Somerville", "lifecycle_stage": "prospect", "tags": ["x"]},
            {"name": "Extra", "unknown_field": 1},
            {"name": "Bad company", "company_id": str(uuid.uuid4())},
        ]})
        queued = answer.json()
        assert answer.headers["location"] == f"/api/v1/imports/{queued['id']}"
        assert queued["status"] in ("queued", "running", "completed")
        assert queued["counts"]["total"] == 6
        job = wait_done(http, answer.headers["location"])
        assert job["status"] == "completed" and job["completed_at"]
        assert job["counts"] == {"total": 6, "processed": 6, "created": 2, "updated": 0,
                                 "skipped": 0, "failed": 4}
        errors = {e["row"]: e for e in job["errors"]}
        assert sorted(errors) == [1, 2, 4, 5]
        assert errors[1]["pointer"] == "/name"
        assert errors[5]["pointer"] == "/company_id"
        names = sorted(c["name"] for c in http.get("/api/v1/customers").json()["data"])
        assert names == ["Charles Babbage", "Mary Somerville"]
        feed = http.get("/api/v1/changes").json()["data"]
        assert [c["action"] for c in feed] == ["created", "created"]
        listed = http.get("/api/v1/imports").json()
        assert [j["id"] for j in listed["data"]] == [job["id"]]
        assert http.get("/api/v1/imports", params={"status": "failed"}).json()["data"] == []
        etag = http.get(answer.headers["location"]).headers["etag"]
        assert http.get(answer.headers["location"],
                        headers={"If-None-Match": etag}).status_code == 304


def test_conflict_policies(live_server: LiveServer, tenant: Tenant) -> None:
    with live_server.client(headers=tenant.headers) as http:
        ada = http.post("/api/v1/customers", json={"name": "Ada", "email": "ada@example.com"})
        assert ada.status_code == 201, ada.text
        ada_id = ada.json()["id"]
        rows = [{"name": "Ada Again", "email": "ADA@example.com"}, {"name": "New",
                                                                    "email": "new@example.com"}]
        failed = wait_done(http, start(http, {"object_type": "customers",
                                              "records": rows}).headers["location"])
        assert failed["counts"]["failed"] == 1 and failed["errors"][0]["pointer"] == "/email"
        skipped = wait_done(http, start(http, {"object_type": "customers", "on_conflict": "skip",
                                               "records": rows}).headers["location"])
        assert (skipped["counts"]["skipped"], skipped["counts"]["created"]) == (2, 0)
        updated = wait_done(http, start(http, {
            "object_type": "customers", "on_conflict": "update",
            "records": [{"id": ada_id, "name": "Ada by id"},
                        {"name": "Ada by email", "email": "ada@example.com", "source": "web"},
                        {"id": str(uuid.uuid4()), "name": "ghost"}]}).headers["location"])
        assert updated["counts"]["updated"] == 2 and updated["counts"]["failed"] == 1
        assert updated["errors"][0]["row"] == 2 and updated["errors"][0]["pointer"] == "/id"
        now = http.get(f"/api/v1/customers/{ada_id}").json()
        assert (now["name"], now["source"], now["version"]) == ("Ada by email", "web", 3)
        with_id = wait_done(http, start(http, {"object_type": "customers", "records": [
            {"id": ada_id, "name": "x"}]}).headers["location"])
        assert with_id["counts"]["failed"] == 1


def test_deals_and_companies(live_server: LiveServer, tenant: Tenant) -> None:
    with live_server.client(headers=tenant.headers) as http:
        pipeline = http.post("/api/v1/pipelines", json={"name": "Sales"}).json()
        stage = http.post(f"/api/v1/pipelines/{pipeline['id']}/stages",
                          json={"name": "New", "probability": 0.1}).json()
        job = wait_done(http, start(http, {"object_type": "deals", "records": [
            {"name": "Big", "amount": 1000, "pipeline_id": pipeline["id"],
             "stage_id": stage["id"]},
            {"name": "Nowhere", "pipeline_id": pipeline["id"], "stage_id": str(uuid.uuid4())},
        ]}).headers["location"])
        assert job["counts"]["created"] == 1 and job["counts"]["failed"] == 1
        companies = wait_done(http, start(http, {"object_type": "companies",
                                                 "on_conflict": "skip", "records": [
            {"name": "Acme", "domain": "acme.example"},
            {"name": "Acme again", "domain": "ACME.example"}]}).headers["location"])
        assert (companies["counts"]["created"], companies["counts"]["skipped"]) == (1, 1)


def test_caps_isolation_and_idempotency(live_server: LiveServer, tenant: Tenant,
                                        other_tenant: Tenant) -> None:
    with live_server.client(headers=tenant.headers) as http:
        too_many = http.post("/api/v1/imports", json={
            "object_type": "customers", "records": [{"name": "x"}] * 10_001})
        assert too_many.status_code in (400, 413)
        assert too_many.headers["content-type"] == "application/problem+json"
        assert http.post("/api/v1/imports", json={"object_type": "customers",
                                                  "records": []}).status_code == 400
        assert http.get("/api/v1/imports").json()["data"] == []

        key = {"Idempotency-Key": f"import-{uuid.uuid4()}"}
        body = {"object_type": "customers", "records": [{"name": "Once"}]}
        first, again = start(http, body, **key), start(http, body, **key)
        assert first.json()["id"] == again.json()["id"]
        wait_done(http, first.headers["location"])
        assert len(http.get("/api/v1/customers").json()["data"]) == 1
        other_body = {"object_type": "customers", "records": [{"name": "Twice"}]}
        assert http.post("/api/v1/imports", json=other_body, headers=key).status_code == 422
    with live_server.client(headers=other_tenant.headers) as stranger:
        assert stranger.get(first.headers["location"]).status_code == 404
        assert stranger.get("/api/v1/imports").json()["data"] == []


SLOW_IMPORTS = {
    "SPECFIRST_SERVER_IMPORT_CHUNK": "20",
    "SPECFIRST_SERVER_IMPORT_CHUNK_PAUSE": "0.1",
    "SPECFIRST_SERVER_IMPORT_LEASE": "2",
    "SPECFIRST_SERVER_IMPORT_POLL_INTERVAL": "0.1",
}


@pytest.fixture(params=BACKENDS)
def crash_db(request: pytest.FixtureRequest,
             tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    url = _database(request.param, tmp_path_factory)
    try:
        yield url
    finally:
        drop_database(url)


def test_killed_server_resumes_the_import(crash_db: str) -> None:
    total = 240
    rows: list[dict[str, Any]] = [{"name": f"row {n}", "email": f"row{n}@example.com"}
                                  for n in range(total)]
    rows[7] = {"name": "bad", "email": 7}  # one invalid row, reported once
    with LiveServer.start(crash_db, env=SLOW_IMPORTS) as server:
        token = server.token("importer")
        with server.client(headers=server.auth(token)) as http:
            location = start(http, {"object_type": "customers", "records": rows}
                             ).headers["location"]
            deadline = time.monotonic() + 30
            while http.get(location).json()["counts"]["processed"] < 40:
                assert time.monotonic() < deadline
                time.sleep(0.05)
        server.kill()  # SIGKILL: no shutdown, a chunk may be in flight
        with server.db.read() as conn:
            job = conn.execute(sa.select(import_jobs)).one()
            applied = conn.execute(sa.select(sa.func.count()).select_from(customers)).scalar()
        assert job.status == "running" and 0 < job.processed < total
        assert job.processed % 20 == 0
        assert applied == job.created == job.processed - job.failed  # nothing half-applied

    with LiveServer.start(crash_db, env=SLOW_IMPORTS) as server:
        token = server.token("importer")
        with server.client(headers=server.auth(token)) as http:
            done = wait_done(http, location)
    assert done["status"] == "completed"
    assert done["counts"] == {"total": total, "processed": total, "created": total - 1,
                              "updated": 0, "skipped": 0, "failed": 1}
    assert [e["row"] for e in done["errors"]] == [7]
    db = LiveServer(crash_db, 0, None, None).db  # type: ignore[arg-type]
    with db.read() as conn:
        emails = conn.execute(sa.select(customers.c.email)).scalars().all()
    db.dispose()
    assert len(emails) == len(set(emails)) == total - 1
