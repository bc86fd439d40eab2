"""The change feed over HTTP: every write in commit order, resumable, bound to its tenant."""

from __future__ import annotations

import threading
import time
import uuid
from typing import Any

import httpx
from specfirst.server.tests.conftest import Tenant
from specfirst.server.tests.live import LiveServer


def read_all(http: httpx.Client, cursor: str | None = None, **params: Any
             ) -> tuple[list[dict[str, Any]], str | None]:
    """Drain the feed from `cursor`; returns the changes and the cursor to resume from."""
    changes: list[dict[str, Any]] = []
    for _ in range(1000):
        query = {**params, **({"cursor": cursor} if cursor else {})}
        page = http.get("/api/v1/changes", params=query)
        assert page.status_code == 200, page.text
        body = page.json()
        if not body["data"]:
            assert body["next_cursor"] is None
            return changes, cursor
        changes.extend(body["data"])
        cursor = body["next_cursor"]
        assert cursor
    raise AssertionError("the feed did not end")


def test_every_write_in_order_and_resumable(live_server: LiveServer, tenant: Tenant) -> None:
    with live_server.client(headers=tenant.headers) as http:
        ids = [http.post("/api/v1/customers", json={"name": f"c{n}"}).json()["id"]
               for n in range(5)]
        company = http.post("/api/v1/companies", json={"name": "Acme"}).json()
        http.patch(f"/api/v1/customers/{ids[0]}", headers={"If-Match": '"1"'},
                   json={"name": "renamed"})
        http.delete(f"/api/v1/customers/{ids[1]}", headers={"If-Match": '"1"'})

        first = http.get("/api/v1/changes", params={"limit": 3}).json()
        assert len(first["data"]) == 3 and first["next_cursor"]
        everything, cursor = read_all(http)
        assert [(c["object_type"], c["action"]) for c in everything] == (
            [("customers", "created")] * 5 + [("companies", "created"),
                                              ("customers", "updated"),
                                              ("customers", "deleted")])
        sequences = [c["sequence"] for c in everything]
        assert sequences == sorted(set(sequences))
        assert everything[:3] == first["data"]
        assert everything[6]["data"]["name"] == "renamed" and everything[6]["object_id"] == ids[0]
        assert everything[7]["data"] is None and everything[7]["object_id"] == ids[1]
        assert everything[5]["data"] == company

        rest, _ = read_all(http, first["next_cursor"])
        assert rest == everything[3:]  # resuming repeats nothing and skips nothing

        # Up to date: an empty page, and the stored cursor picks up later writes only.
        assert read_all(http, cursor)[0] == []
        http.post("/api/v1/customers", json={"name": "late"})
        later, _ = read_all(http, cursor)
        assert [c["data"]["name"] for c in later] == ["late"]


def test_filter_by_object_type(live_server: LiveServer, tenant: Tenant) -> None:
    with live_server.client(headers=tenant.headers) as http:
        http.post("/api/v1/customers", json={"name": "a"})
        http.post("/api/v1/companies", json={"name": "b"})
        http.post("/api/v1/customers", json={"name": "c"})
        only, cursor = read_all(http, object_type="customers", limit=1)
        assert [c["data"]["name"] for c in only] == ["a", "c"]
        # The cursor belongs to its query: reusing it with another filter is refused.
        assert cursor is not None
        wrong = http.get("/api/v1/changes", params={"cursor": cursor,
                                                    "object_type": "companies"})
        assert wrong.status_code == 400
        assert wrong.headers["content-type"] == "application/problem+json"


def test_cursors_are_tamper_evident_and_tenant_bound(live_server: LiveServer, tenant: Tenant,
                                                     other_tenant: Tenant) -> None:
    with live_server.client(headers=tenant.headers) as http:
        http.post("/api/v1/customers", json={"name": "secret customer"})
        cursor = http.get("/api/v1/changes", params={"limit": 1}).json()["next_cursor"]
        payload, mac = cursor.split(".")
        forged = payload[:-2] + ("A" if payload[-2] != "A" else "B") + payload[-1] + "." + mac
        for bad in (forged, "MTA0Mg", cursor + "x", "a.b"):
            assert http.get("/api/v1/changes", params={"cursor": bad}).status_code == 400
    with live_server.client(headers=other_tenant.headers) as stranger:
        assert stranger.get("/api/v1/changes").json() == {"data": [], "next_cursor": None}
        assert stranger.get("/api/v1/changes", params={"cursor": cursor}).status_code == 400


def test_concurrent_writers_never_make_a_reader_skip(live_server: LiveServer,
                                                     tenant: Tenant) -> None:
    """Readers polling while 4 clients write: what they collect is every change, once, in
    strictly increasing sequence (sequence order equals commit order)."""
    writers, per_writer = 4, 12
    created: list[str] = []
    lock = threading.Lock()
    done = threading.Event()

    def write(n: int) -> None:
        with live_server.client(headers=tenant.headers) as http:
            for k in range(per_writer):
                answer = http.post("/api/v1/customers", json={"name": f"w{n}-{k}"})
                assert answer.status_code == 201, answer.text
                with lock:
                    created.append(answer.json()["id"])

    seen: list[dict[str, Any]] = []

    def read() -> None:
        cursor = None
        with live_server.client(headers=tenant.headers) as http:
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:
                finished = done.is_set()
                page, cursor = read_all(http, cursor, limit=7)
                seen.extend(page)
                if finished and not page:
                    return
                time.sleep(0.01)

    reader = threading.Thread(target=read)
    reader.start()
    threads = [threading.Thread(target=write, args=(n,)) for n in range(writers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    done.set()
    reader.join(60)
    sequences = [c["sequence"] for c in seen]
    assert sequences == sorted(set(sequences))
    assert sorted(c["object_id"] for c in seen) == sorted(created)
    assert len(created) == writers * per_writer


def test_scope_is_required(live_server: LiveServer) -> None:
    token = live_server.token(f"s-{uuid.uuid4().hex[:8]}", ["customers:read"])
    with live_server.client(headers=live_server.auth(token)) as http:
        assert http.get("/api/v1/changes").status_code == 403
    assert httpx.get(live_server.url + "/api/v1/changes").status_code == 401
