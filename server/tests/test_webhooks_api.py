"""Webhooks over HTTP against a real server process: subscriptions, secrets, SSRF refusals,
test events, deliveries of real changes, history."""
# ruff: noqa: F811 - the shared fixtures are imported by name

from __future__ import annotations

import uuid
from collections.abc import Iterator

import httpx
import orjson
import pytest
from specfirst.server.crm.webhooks.signing import verify
from specfirst.server.tests.conftest import BACKENDS, _database
from specfirst.server.tests.live import LiveServer, drop_database
from specfirst.server.tests.test_sync_support import Receiver, receiver, wait_for  # noqa: F401

FAST_WEBHOOKS = {
    "SPECFIRST_SERVER_WEBHOOKS_ALLOW_LOOPBACK": "1",
    "SPECFIRST_SERVER_WEBHOOK_RETRY_BASE": "0.05",
    "SPECFIRST_SERVER_WEBHOOK_RETRY_MAX": "0.2",
    "SPECFIRST_SERVER_WEBHOOK_MAX_ATTEMPTS": "4",
    "SPECFIRST_SERVER_WEBHOOK_POLL_INTERVAL": "0.05",
    "SPECFIRST_SERVER_WEBHOOK_TIMEOUT": "2",
    "SPECFIRST_SERVER_IMPORT_POLL_INTERVAL": "0.05",
}


@pytest.fixture(scope="module", params=BACKENDS)
def hooks_server(request: pytest.FixtureRequest,
                 tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """The CRM server with loopback webhook targets allowed and fast retries."""
    url = _database(request.param, tmp_path_factory)
    try:
        with LiveServer.start(url, env=FAST_WEBHOOKS) as server:
            yield server
    finally:
        drop_database(url)


@pytest.fixture()
def http(hooks_server: LiveServer) -> Iterator[httpx.Client]:
    token = hooks_server.token(f"hooks-{uuid.uuid4().hex[:8]}")
    with hooks_server.client(headers=hooks_server.auth(token)) as client:
        yield client


def deliveries(http: httpx.Client, webhook_id: str, **params: str) -> list[dict[str, object]]:
    response = http.get(f"/api/v1/webhooks/{webhook_id}/deliveries", params=params)
    assert response.status_code == 200, response.text
    return list(response.json()["data"])


def test_subscription_lifecycle(http: httpx.Client, receiver: Receiver) -> None:
    created = http.post("/api/v1/webhooks", json={
        "url": receiver.url("/hook"), "event_types": ["customer.created", "customer.created",
                                                      "deal.stage_changed"],
        "description": "sync"})
    assert created.status_code == 201, created.text
    hook = created.json()
    secret = hook.pop("secret")
    assert secret.startswith("whsec_") and len(secret) >= 24
    assert created.headers["location"] == f"/api/v1/webhooks/{hook['id']}"
    assert hook["event_types"] == ["customer.created", "deal.stage_changed"]
    assert hook["active"] is True and hook["version"] == 1

    got = http.get(f"/api/v1/webhooks/{hook['id']}")
    assert got.status_code == 200 and got.json() == hook and "secret" not in got.text
    assert got.headers["etag"] == '"1"'
    assert http.get(f"/api/v1/webhooks/{hook['id']}",
                    headers={"If-None-Match": '"1"'}).status_code == 304
    listed = http.get("/api/v1/webhooks").json()
    assert listed["data"] == [hook] and secret not in orjson.dumps(listed).decode()

    assert http.patch(f"/api/v1/webhooks/{hook['id']}", json={"active": False}).status_code == 428
    assert http.patch(f"/api/v1/webhooks/{hook['id']}", headers={"If-Match": '"9"'},
                      json={"active": False}).status_code == 412
    paused = http.patch(f"/api/v1/webhooks/{hook['id']}", headers={"If-Match": '"1"'},
                        json={"active": False})
    assert paused.status_code == 200 and paused.json()["active"] is False
    assert paused.headers["etag"] == '"2"'
    assert http.get("/api/v1/webhooks", params={"active": "true"}).json()["data"] == []
    moved = http.patch(f"/api/v1/webhooks/{hook['id']}", headers={"If-Match": '"2"'},
                       json={"url": "http://169.254.169.254/latest/"})
    assert moved.status_code == 422 and "link-local" in moved.json()["detail"]
    assert http.get(f"/api/v1/webhooks/{hook['id']}").json()["url"] == hook["url"]

    rotated = http.post(f"/api/v1/webhooks/{hook['id']}/rotate-secret")
    assert rotated.status_code == 200
    assert rotated.json()["secret"] != secret and rotated.json()["version"] == 3

    assert http.delete(f"/api/v1/webhooks/{hook['id']}",
                       headers={"If-Match": '"2"'}).status_code == 412
    assert http.delete(f"/api/v1/webhooks/{hook['id']}",
                       headers={"If-Match": '"3"'}).status_code == 204
    assert http.get(f"/api/v1/webhooks/{hook['id']}").status_code == 404


@pytest.mark.parametrize("url", [
    "http://169.254.169.254/latest/meta-data/",
    "http://10.0.0.5/hook",
    "http://[::ffff:127.0.0.1]/",
    "http://2130706433/",
    "http://0x7f.1/",
    "http://user@127.0.0.1/",
    "http://[fd00::1]/",
    "ftp://example.com/",
])
def test_internal_targets_are_refused_at_registration(http: httpx.Client, url: str) -> None:
    refused = http.post("/api/v1/webhooks", json={"url": url, "event_types": ["deal.created"]})
    assert refused.status_code in (400, 422), refused.text
    assert refused.headers["content-type"] == "application/problem+json"
    assert http.get("/api/v1/webhooks").json()["data"] == []


def test_changes_are_delivered_signed(http: httpx.Client, receiver: Receiver) -> None:
    hook = http.post("/api/v1/webhooks", json={
        "url": receiver.url("/crm"), "event_types": ["customer.created", "customer.updated"]})
    secret = hook.json()["secret"]
    hook_id = hook.json()["id"]
    created = http.post("/api/v1/customers", json={"name": "Ada", "email": "ada@example.com"})
    assert created.status_code == 201
    http.patch(f"/api/v1/customers/{created.json()['id']}", headers={"If-Match": '"1"'},
               json={"name": "Ada L."})
    http.post("/api/v1/companies", json={"name": "not subscribed"})
    wait_for(lambda: len(receiver.hits("/crm")) >= 2)
    hits = receiver.hits("/crm")
    for hit in hits:
        verify(secret, hit.headers, hit.body)
    events = [orjson.loads(hit.body) for hit in hits]
    assert sorted(event["type"] for event in events) == ["customer.created", "customer.updated"]
    assert {event["data"]["id"] for event in events} == {created.json()["id"]}
    wait_for(lambda: all(d["status"] == "succeeded" for d in deliveries(http, hook_id)))
    history = deliveries(http, hook_id)
    assert len(history) == 2
    assert {d["id"] for d in history} == {hit.headers["webhook-id"] for hit in hits}
    assert all(d["attempts"] == 1 and d["response_status"] == 204 for d in history)


def test_send_test_event_and_history(http: httpx.Client, receiver: Receiver) -> None:
    receiver.script["/t"] = [500, 204]
    hook = http.post("/api/v1/webhooks", json={
        "url": receiver.url("/t"), "event_types": ["ticket.created"], "active": False}).json()
    queued = http.post(f"/api/v1/webhooks/{hook['id']}/test")
    assert queued.status_code == 202, queued.text
    assert queued.json()["status"] == "pending" and queued.json()["event_type"] == "webhook.test"
    wait_for(lambda: deliveries(http, hook["id"])[0]["status"] == "succeeded")
    [delivery] = deliveries(http, hook["id"])
    assert delivery["attempts"] == 2 and delivery["error"] is None
    assert len(receiver.hits("/t")) == 2
    body = orjson.loads(receiver.hits("/t")[-1].body)
    assert body["type"] == "webhook.test" and body["data"] == {"test": True}
    assert deliveries(http, hook["id"], status="failed") == []


def test_gone_disables_the_endpoint(http: httpx.Client, receiver: Receiver) -> None:
    receiver.script["/gone"] = [410]
    hook = http.post("/api/v1/webhooks", json={
        "url": receiver.url("/gone"), "event_types": ["company.created"]}).json()
    http.post("/api/v1/companies", json={"name": "Acme"})
    wait_for(lambda: http.get(f"/api/v1/webhooks/{hook['id']}").json()["active"] is False)
    assert deliveries(http, hook["id"])[0]["status"] == "failed"
    http.post("/api/v1/companies", json={"name": "Beta"})
    assert len(deliveries(http, hook["id"])) == 1
    assert len(receiver.hits("/gone")) == 1


def test_other_tenants_see_nothing(hooks_server: LiveServer, http: httpx.Client,
                                   receiver: Receiver) -> None:
    hook = http.post("/api/v1/webhooks", json={
        "url": receiver.url("/x"), "event_types": ["deal.created"]}).json()
    other = hooks_server.auth(hooks_server.token(f"other-{uuid.uuid4().hex[:8]}"))
    with hooks_server.client(headers=other) as stranger:
        for method, path in (("GET", ""), ("GET", "/deliveries"), ("POST", "/test"),
                             ("POST", "/rotate-secret")):
            answer = stranger.request(method, f"/api/v1/webhooks/{hook['id']}{path}")
            assert answer.status_code == 404, (method, path, answer.text)
        assert stranger.patch(f"/api/v1/webhooks/{hook['id']}", headers={"If-Match": '"1"'},
                              json={"active": False}).status_code == 404
        assert stranger.delete(f"/api/v1/webhooks/{hook['id']}",
                               headers={"If-Match": '"1"'}).status_code == 404
        assert stranger.get("/api/v1/webhooks").json()["data"] == []


def test_scopes_are_enforced(hooks_server: LiveServer, receiver: Receiver) -> None:
    reader = hooks_server.token(f"r-{uuid.uuid4().hex[:8]}", ["webhooks:read"])
    with hooks_server.client(headers=hooks_server.auth(reader)) as http:
        assert http.get("/api/v1/webhooks").status_code == 200
        assert http.post("/api/v1/webhooks", json={
            "url": receiver.url("/x"), "event_types": ["deal.created"]}).status_code == 403


@pytest.fixture(params=BACKENDS)
def crash_db(request: pytest.FixtureRequest,
             tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    url = _database(request.param, tmp_path_factory)
    try:
        yield url
    finally:
        drop_database(url)


def test_delivery_survives_a_killed_server(crash_db: str, receiver: Receiver) -> None:
    """The server is SIGKILLed while a delivery is in flight: after a restart the event is
    sent again (same webhook-id) once the lease expires; nothing is lost."""
    receiver.script["/slow"] = [("sleep", 1.5), 204]
    env = {**FAST_WEBHOOKS, "SPECFIRST_SERVER_WEBHOOK_TIMEOUT": "2",
           "SPECFIRST_SERVER_WEBHOOK_LEASE": "1"}
    with LiveServer.start(crash_db, env=env) as server:
        token = server.token("crash")
        with server.client(headers=server.auth(token)) as http:
            hook = http.post("/api/v1/webhooks", json={
                "url": receiver.url("/slow"), "event_types": ["customer.created"]}).json()
            assert http.post("/api/v1/customers", json={"name": "acked"}).status_code == 201
            wait_for(lambda: len(receiver.hits("/slow")) == 1)
        server.kill()
    with LiveServer.start(crash_db, env=env) as server:
        with server.client(headers=server.auth(token)) as http:
            wait_for(lambda: deliveries(http, hook["id"])[0]["status"] == "succeeded",
                     timeout=30)
            [delivery] = deliveries(http, hook["id"])
    hits = receiver.hits("/slow")
    assert len(hits) == 2 and delivery["attempts"] == 1
    assert hits[0].headers["webhook-id"] == hits[1].headers["webhook-id"] == delivery["id"]
    verify(hook["secret"], hits[1].headers, hits[1].body)


def test_several_workers_send_each_delivery_once(crash_db: str, receiver: Receiver) -> None:
    """Two server processes share the outbox: every event arrives, none twice."""
    with LiveServer.start(crash_db, env=FAST_WEBHOOKS, workers=2) as server:
        token = server.token("busy")
        with server.client(headers=server.auth(token)) as http:
            hook = http.post("/api/v1/webhooks", json={
                "url": receiver.url("/many"), "event_types": ["customer.created"]}).json()
            for n in range(20):
                assert http.post("/api/v1/customers", json={"name": f"c{n}"}).status_code == 201
            wait_for(lambda: len(receiver.hits("/many")) >= 20, timeout=30)
            wait_for(lambda: all(d["status"] == "succeeded"
                                 for d in deliveries(http, hook["id"], limit="100")))
    ids = [hit.headers["webhook-id"] for hit in receiver.hits("/many")]
    assert len(ids) == len(set(ids)) == 20
