"""The per-request fast paths: the kept SQLite connections, the raw record read, the dispatch."""

from __future__ import annotations

import uuid
from pathlib import Path

from specfirst.server.db import Database
from specfirst.server.tests.conftest import Tenant
from specfirst.server.tests.live import LiveServer


def test_sqlite_pool_keeps_every_connection(tmp_path: Path) -> None:
    """Returned connections are kept for the next request, even 20 at once (an overflow
    connection used to be closed on return and a new one opened for the next request)."""
    db = Database.from_url(f"sqlite:///{tmp_path / 'pool.db'}")
    try:
        first = [db.engine.raw_connection() for _ in range(20)]
        drivers = [conn.driver_connection for conn in first]
        for conn in first:
            conn.close()
        again = [db.engine.raw_connection() for _ in range(20)]
        reused = [conn.driver_connection for conn in again]
        assert all(any(d is r for r in reused) for d in drivers)
        for conn in again:
            conn.close()
    finally:
        db.dispose()


def test_nested_record_read_is_scoped_to_parent_and_tenant(
        live_server: LiveServer, tenant: Tenant, other_tenant: Tenant) -> None:
    with live_server.client(headers=tenant.headers) as http:
        pipelines = [http.post("/api/v1/pipelines", json={"name": f"P {n} {uuid.uuid4().hex}"})
                     for n in range(2)]
        assert all(p.status_code == 201 for p in pipelines), pipelines[0].text
        first, second = (p.json()["id"] for p in pipelines)
        made = http.post(f"/api/v1/pipelines/{first}/stages",
                         json={"name": "Proposal", "probability": 0.5, "kind": "open"})
        assert made.status_code == 201, made.text
        stage = made.json()

        got = http.get(f"/api/v1/pipelines/{first}/stages/{stage['id']}")
        assert got.status_code == 200 and got.json() == stage
        assert isinstance(got.json()["probability"], float)
        assert got.headers["etag"] == f'"{stage["version"]}"'
        assert http.get(f"/api/v1/pipelines/{second}/stages/{stage['id']}").status_code == 404

    with live_server.client(headers=other_tenant.headers) as http:
        assert http.get(f"/api/v1/pipelines/{first}/stages/{stage['id']}").status_code == 404


def test_handlers_answer_the_same_on_repeated_requests(
        live_server: LiveServer, tenant: Tenant) -> None:
    """The decorated handler is built once per operation: parameters still come from each
    request, not from the first one."""
    with live_server.client(headers=tenant.headers) as http:
        ids = []
        for n in range(3):
            made = http.post("/api/v1/customers", json={"name": f"C{n}",
                                                        "email": f"c{n}@example.com"})
            assert made.status_code == 201, made.text
            ids.append(made.json()["id"])
        for n, record_id in enumerate(ids):
            got = http.get(f"/api/v1/customers/{record_id}")
            assert got.status_code == 200 and got.json()["name"] == f"C{n}"
        listed = http.get("/api/v1/customers", params={"limit": 2})
        assert listed.status_code == 200 and len(listed.json()["data"]) == 2
        assert http.get("/api/v1/customers", params={"limit": 0}).status_code == 400
