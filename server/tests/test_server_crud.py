"""CRUD, filters, ETags and nested resources against a real server process."""

from __future__ import annotations

import uuid

import httpx
from specfirst.server.tests.conftest import Tenant
from specfirst.server.tests.live import LiveServer


def test_customer_lifecycle(live_server: LiveServer, tenant: Tenant) -> None:
    with live_server.client(headers=tenant.headers) as http:
        created = http.post("/api/v1/customers", json={
            "name": "Ada Lovelace", "email": "Ada@Example.com", "tags": ["vip"],
            "properties": {"seats": 25, "trial": True}})
        assert created.status_code == 201, created.text
        record = created.json()
        assert created.headers["location"] == f"/api/v1/customers/{record['id']}"
        assert created.headers["etag"] == '"1"'
        assert record["lifecycle_stage"] == "lead" and record["version"] == 1

        got = http.get(f"/api/v1/customers/{record['id']}")
        assert got.status_code == 200 and got.json() == record
        assert http.get(f"/api/v1/customers/{record['id']}",
                        headers={"If-None-Match": '"1"'}).status_code == 304
        assert http.get(f"/api/v1/customers/{record['id']}",
                        headers={"If-None-Match": '"7"'}).status_code == 200

        patched = http.patch(f"/api/v1/customers/{record['id']}", headers={"If-Match": '"1"'},
                             json={"lifecycle_stage": "prospect",
                                   "properties": {"trial": None, "region": "EMEA"}})
        assert patched.status_code == 200, patched.text
        assert patched.headers["etag"] == '"2"'
        body = patched.json()
        assert body["properties"] == {"seats": 25, "region": "EMEA"}
        assert body["lifecycle_stage"] == "prospect" and body["name"] == "Ada Lovelace"

        stale = http.patch(f"/api/v1/customers/{record['id']}", headers={"If-Match": '"1"'},
                           json={"name": "x"})
        assert stale.status_code == 412
        weak = http.patch(f"/api/v1/customers/{record['id']}", headers={"If-Match": 'W/"2"'},
                          json={"name": "x"})
        assert weak.status_code == 412
        missing = http.patch(f"/api/v1/customers/{record['id']}", json={"name": "x"})
        assert missing.status_code == 428
        assert missing.headers["content-type"] == "application/problem+json"

        by_email = http.get("/api/v1/customers", params={"email": "ada@example.com"}).json()
        assert [c["id"] for c in by_email["data"]] == [record["id"]]
        by_tag = http.get("/api/v1/customers", params={"tag": "vip"}).json()
        assert [c["id"] for c in by_tag["data"]] == [record["id"]]
        assert http.get("/api/v1/customers", params={"tag": "vi"}).json()["data"] == []

        assert http.delete(f"/api/v1/customers/{record['id']}",
                           headers={"If-Match": '"1"'}).status_code == 412
        assert http.delete(f"/api/v1/customers/{record['id']}").status_code == 428
        assert http.delete(f"/api/v1/customers/{record['id']}",
                           headers={"If-Match": '"2"'}).status_code == 204
        assert http.get(f"/api/v1/customers/{record['id']}").status_code == 404


def test_pipeline_stages_and_deal_status(live_server: LiveServer, tenant: Tenant) -> None:
    with live_server.client(headers=tenant.headers) as http:
        pipeline = http.post("/api/v1/pipelines", json={"name": "New business"}).json()
        base = f"/api/v1/pipelines/{pipeline['id']}/stages"
        first = http.post(base, json={"name": "Qualified", "probability": 0.2}).json()
        won = http.post(base, json={"name": "Won", "kind": "won", "probability": 1}).json()
        assert (first["position"], won["position"]) == (0, 1)
        stages = http.get(base).json()["data"]
        assert [s["name"] for s in stages] == ["Qualified", "Won"]

        deal = http.post("/api/v1/deals", json={
            "name": "25 seats", "amount": 12500, "currency": "EUR",
            "pipeline_id": pipeline["id"], "stage_id": first["id"]})
        assert deal.status_code == 201, deal.text
        assert deal.json()["status"] == "open" and deal.json()["closed_at"] is None
        closed = http.patch(f"/api/v1/deals/{deal.json()['id']}", headers={"If-Match": '"1"'},
                            json={"stage_id": won["id"]}).json()
        assert closed["status"] == "won" and closed["closed_at"] is not None

        other = http.post("/api/v1/pipelines", json={"name": "Renewals"}).json()
        wrong = http.post("/api/v1/deals", json={"name": "x", "pipeline_id": other["id"],
                                                 "stage_id": first["id"]})
        assert wrong.status_code == 422
        busy = http.delete(f"/api/v1/pipelines/{pipeline['id']}", headers={"If-Match": '"1"'})
        assert busy.status_code == 409
        assert http.delete(f"/api/v1/deals/{closed['id']}",
                           headers={"If-Match": '"2"'}).status_code == 204
        assert http.delete(f"/api/v1/pipelines/{pipeline['id']}",
                           headers={"If-Match": '"1"'}).status_code == 204
        assert http.get(f"{base}/{first['id']}").status_code == 404


def test_tickets_comments_activities_and_references(live_server: LiveServer,
                                                    tenant: Tenant) -> None:
    with live_server.client(headers=tenant.headers) as http:
        customer = http.post("/api/v1/customers", json={"name": "Grace"}).json()
        ticket = http.post("/api/v1/tickets", json={
            "subject": "Cannot log in", "customer_id": customer["id"], "priority": "high"})
        assert ticket.status_code == 201, ticket.text
        tid = ticket.json()["id"]
        assert ticket.json()["solved_at"] is None
        solved = http.patch(f"/api/v1/tickets/{tid}", headers={"If-Match": '"1"'},
                            json={"status": "solved"}).json()
        assert solved["solved_at"] is not None
        comment = http.post(f"/api/v1/tickets/{tid}/comments", json={"body": "Reset sent"})
        assert comment.status_code == 201 and comment.json()["public"] is True
        activity = http.post("/api/v1/activities", json={
            "type": "call", "subject": "Follow-up", "customer_id": customer["id"],
            "ticket_id": tid, "due_at": "2026-03-01T10:00:00+01:00"}).json()
        assert activity["due_at"] == "2026-03-01T09:00:00.000000Z"
        open_calls = http.get("/api/v1/activities", params={"type": "call",
                                                            "completed": "false"}).json()
        assert [a["id"] for a in open_calls["data"]] == [activity["id"]]

        unknown = str(uuid.uuid4())
        refused = http.post("/api/v1/activities", json={"type": "note", "subject": "x",
                                                        "deal_id": unknown})
        assert refused.status_code == 422
        assert refused.json()["errors"][0]["pointer"] == "/deal_id"

        # deleting the ticket deletes its comments and clears the activity's reference
        assert http.delete(f"/api/v1/tickets/{tid}",
                           headers={"If-Match": '"2"'}).status_code == 204
        assert http.get(f"/api/v1/tickets/{tid}/comments").status_code == 404
        after = http.get(f"/api/v1/activities/{activity['id']}").json()
        assert after["ticket_id"] is None and after["version"] == 2


def test_search_and_batches(live_server: LiveServer, tenant: Tenant) -> None:
    with live_server.client(headers=tenant.headers) as http:
        batch = http.post("/api/v1/companies/batch/create", json={"records": [
            {"name": "Alpha", "employee_count": 10, "tags": ["a"]},
            {"name": "Beta", "employee_count": 500},
            {"name": "Gamma", "employee_count": 50, "owner_id": str(uuid.uuid4())},
        ]})
        assert batch.status_code == 207, batch.text
        results = batch.json()["results"]
        assert [r["status"] for r in results] == [201, 201, 422]
        assert results[2]["error"]["status"] == 422
        ids = [r["id"] for r in results[:2]]

        search = http.post("/api/v1/companies/search", json={
            "filter_groups": [
                {"filters": [{"field": "employee_count", "operator": "gte", "value": 100}]},
                {"filters": [{"field": "tags", "operator": "contains", "value": "a"},
                             {"field": "name", "operator": "contains", "value": "ALP"}]},
            ],
            "sorts": [{"field": "name", "direction": "desc"}]})
        assert search.status_code == 200, search.text
        assert [c["name"] for c in search.json()["data"]] == ["Beta", "Alpha"]
        # A value that does not suit its field matches nothing: 200, no records (the contract's
        # rule), also inside an OR with a filter that does match.
        for unsuitable in ({"field": "employee_count", "operator": "gte", "value": "many"},
                           {"field": "name", "operator": "eq", "value": [0]},
                           {"field": "tags", "operator": "lt", "value": "a"},
                           {"field": "created_at", "operator": "gt", "value": "yesterday"},
                           {"field": "employee_count", "operator": "contains", "value": 1},
                           {"field": "owner_id", "operator": "exists", "value": "yes"}):
            none = http.post("/api/v1/companies/search",
                             json={"filter_groups": [{"filters": [unsuitable]}]})
            assert none.status_code == 200 and none.json()["data"] == [], (unsuitable, none.text)
        either = http.post("/api/v1/companies/search", json={"filter_groups": [
            {"filters": [{"field": "employee_count", "operator": "gte", "value": "many"}]},
            {"filters": [{"field": "name", "operator": "eq", "value": "Beta"}]}]})
        assert [c["name"] for c in either.json()["data"]] == ["Beta"]
        mixed = http.post("/api/v1/companies/search", json={"filter_groups": [{"filters": [
            {"field": "employee_count", "operator": "in", "value": ["ten", 10]}]}]})
        assert [c["name"] for c in mixed.json()["data"]] == ["Alpha"]
        today = http.post("/api/v1/companies/search", json={"filter_groups": [{"filters": [
            {"field": "created_at", "operator": "gte", "value": "2000-01-01"}]}]})
        assert len(today.json()["data"]) == 2, today.text

        updates = http.post("/api/v1/companies/batch/update", json={"records": [
            {"id": ids[0], "version": 1, "data": {"industry": "Robotics"}},
            {"id": ids[1], "version": 9, "data": {"industry": "x"}},
            {"id": str(uuid.uuid4()), "data": {"industry": "x"}},
        ]})
        assert updates.status_code == 207
        assert [r["status"] for r in updates.json()["results"]] == [200, 412, 404]
        all_ok = http.post("/api/v1/companies/batch/delete", json={"ids": ids})
        assert all_ok.status_code == 200
        assert [r["status"] for r in all_ok.json()["results"]] == [204, 204]


def test_the_probes_answer_200(live_server: LiveServer) -> None:
    """Liveness and readiness without a token; readiness reads the migrations table."""
    live = httpx.get(live_server.url + "/api/v1/health/live", timeout=10)
    ready = httpx.get(live_server.url + "/api/v1/health/ready", timeout=10)
    assert live.status_code == 200 and live.json() == {"status": "ok"}
    assert ready.status_code == 200, ready.text
    assert ready.json() == {"status": "ok", "checks": {"database": "ok"}}
