"""Concurrency and crash figures of RELIABILITY.md, on SQLite and PostgreSQL."""

from __future__ import annotations

import random
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest
from specfirst.server.crm.migrations.m0001_core import customers, idempotency_keys
from specfirst.server.tests.conftest import BACKENDS, Tenant
from specfirst.server.tests.live import LiveServer
from sqlalchemy import func, select, text


def test_50_concurrent_patches_with_one_etag_one_wins(live_server: LiveServer,
                                                      tenant: Tenant) -> None:
    with live_server.client(headers=tenant.headers) as http:
        record = http.post("/api/v1/customers", json={"name": "race"}).json()
    limits = httpx.Limits(max_connections=50)
    with httpx.Client(base_url=live_server.url, headers=tenant.headers, timeout=60,
                      limits=limits) as http:
        def patch(n: int) -> int:
            return http.patch(f"/api/v1/customers/{record['id']}", headers={"If-Match": '"1"'},
                              json={"name": f"writer {n}"}).status_code

        with ThreadPoolExecutor(50) as pool:
            statuses = list(pool.map(patch, range(50)))
        final = http.get(f"/api/v1/customers/{record['id']}").json()
    assert sum(200 <= s < 300 for s in statuses) == 1, statuses
    assert statuses.count(412) == 49
    assert final["version"] == 2 and final["name"].startswith("writer ")


def test_50_concurrent_duplicate_idempotency_keys_make_one_record(live_server: LiveServer,
                                                                  tenant: Tenant) -> None:
    key = str(uuid.uuid4())
    name = f"idem-{key[:8]}"
    with httpx.Client(base_url=live_server.url, headers={**tenant.headers,
                                                         "Idempotency-Key": key},
                      timeout=60, limits=httpx.Limits(max_connections=50)) as http:
        def create(_: int) -> httpx.Response:
            return http.post("/api/v1/customers", json={"name": name})

        with ThreadPoolExecutor(50) as pool:
            responses = list(pool.map(create, range(50)))
        assert {r.status_code for r in responses} == {201}, {r.text for r in responses}
        assert len({r.json()["id"] for r in responses}) == 1
        assert len({r.content for r in responses}) == 1
        different = http.post("/api/v1/customers", json={"name": name + "!"})
        assert different.status_code == 422
    with live_server.db.read() as conn:
        count = conn.execute(select(func.count()).select_from(customers).where(
            customers.c.name == name)).scalar_one()
        kept_until = conn.execute(select(idempotency_keys.c.expires_at).where(
            idempotency_keys.c.idem_key == key)).scalar_one()
    assert count == 1
    assert kept_until - time.time() >= 24 * 3600  # kept at least 24 hours
    # the same key in another tenant is another request
    other = live_server.token(f"k-{key[:8]}")
    again = httpx.post(live_server.url + "/api/v1/customers", json={"name": name},
                       headers={**LiveServer.auth(other), "Idempotency-Key": key})
    assert again.status_code == 201 and again.json()["id"] != responses[0].json()["id"]


def test_32_mixed_writers_never_see_busy(live_server: LiveServer, tenant: Tenant) -> None:
    failures: list[str] = []

    def writer(n: int) -> None:
        rng = random.Random(n)
        with httpx.Client(base_url=live_server.url, headers=tenant.headers, timeout=60) as http:
            mine: list[dict[str, Any]] = []
            for step in range(12):
                action = rng.choice(["create", "create", "update", "delete", "batch"])
                if action == "create" or not mine:
                    response = http.post("/api/v1/companies", json={"name": f"w{n}-{step}"})
                    if response.status_code == 201:
                        mine.append(response.json())
                elif action == "update":
                    target = mine[-1]
                    response = http.patch(f"/api/v1/companies/{target['id']}",
                                          headers={"If-Match": f'"{target["version"]}"'},
                                          json={"industry": f"i{step}"})
                    if response.status_code == 200:
                        mine[-1] = response.json()
                elif action == "delete":
                    target = mine.pop()
                    response = http.delete(f"/api/v1/companies/{target['id']}",
                                           headers={"If-Match": f'"{target["version"]}"'})
                else:
                    response = http.post("/api/v1/companies/batch/create", json={
                        "records": [{"name": f"b{n}-{step}-{i}"} for i in range(3)]})
                if response.status_code >= 300:
                    failures.append(f"{action}: {response.status_code} {response.text[:200]}")

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(32)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(t.is_alive() for t in threads)
    assert failures == []


@pytest.mark.parametrize("backend_url", BACKENDS, indirect=True)
def test_kill_9_during_writes_loses_no_acknowledged_write(backend_url: str) -> None:
    acknowledged: list[str] = []
    lock = threading.Lock()
    stop = threading.Event()
    server = LiveServer.start(backend_url)
    try:
        token = server.token("crash")

        def writer(n: int) -> None:
            with httpx.Client(base_url=server.url, headers=LiveServer.auth(token),
                              timeout=10) as http:
                for step in range(10_000):  # bounded; ends at the kill
                    if stop.is_set():
                        return
                    try:
                        response = http.post("/api/v1/customers", json={"name": f"c{n}-{step}"})
                    except httpx.HTTPError:
                        return
                    if response.status_code == 201:
                        with lock:
                            acknowledged.append(response.json()["id"])

        threads = [threading.Thread(target=writer, args=(n,)) for n in range(8)]
        for thread in threads:
            thread.start()
        deadline = time.monotonic() + 20
        while len(acknowledged) < 150 and time.monotonic() < deadline:
            time.sleep(0.05)
        server.kill()
        stop.set()
        for thread in threads:
            thread.join(timeout=20)
        assert len(acknowledged) >= 150
        db = server.db
        with db.read() as conn:
            if db.is_sqlite:
                assert conn.execute(text("PRAGMA integrity_check")).scalar() == "ok"
            stored = set(conn.execute(select(customers.c.id)).scalars())
        missing = set(acknowledged) - stored
        assert not missing, f"{len(missing)} acknowledged writes lost"
        # the server comes back on the same database
        restarted = LiveServer.start(backend_url)
        with restarted:
            response = httpx.get(restarted.url + "/api/v1/customers",
                                 headers=LiveServer.auth(token))
            assert response.status_code == 200
    finally:
        server.stop()


def test_opposing_batches_do_not_deadlock(live_server: LiveServer, tenant: Tenant) -> None:
    with live_server.client(headers=tenant.headers) as http:
        records = http.post("/api/v1/companies/batch/create", json={
            "records": [{"name": f"d{i}"} for i in range(4)]}).json()["results"]
        ids = [r["id"] for r in records]
    statuses: list[int] = []

    def batches(reverse: bool) -> None:
        order = list(reversed(ids)) if reverse else ids
        with live_server.client(headers=tenant.headers) as http:
            for step in range(15):
                response = http.post("/api/v1/companies/batch/update", json={"records": [
                    {"id": i, "data": {"industry": f"s{step}"}} for i in order]})
                statuses.append(response.status_code)

    threads = [threading.Thread(target=batches, args=(n % 2 == 1,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert statuses and set(statuses) == {200}, statuses
