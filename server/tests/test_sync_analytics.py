"""Analytics computed from the live records: they follow every write, nothing is stored."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from specfirst.server.crm.analytics import PeriodRangeError, period_start, periods
from specfirst.server.tests.conftest import Tenant
from specfirst.server.tests.live import LiveServer


def test_sales_funnel_follows_the_deals(live_server: LiveServer, tenant: Tenant) -> None:
    with live_server.client(headers=tenant.headers) as http:
        pipeline = http.post("/api/v1/pipelines", json={"name": "Sales"}).json()
        base = f"/api/v1/pipelines/{pipeline['id']}/stages"
        new = http.post(base, json={"name": "New", "position": 0, "probability": 0.1}).json()
        proposal = http.post(base, json={"name": "Proposal", "position": 1,
                                         "probability": 0.5}).json()
        won = http.post(base, json={"name": "Won", "position": 2, "probability": 1,
                                    "kind": "won"}).json()

        def deal(name: str, stage: str, amount: float, currency: str = "EUR",
                 probability: float | None = None) -> dict[str, object]:
            body: dict[str, object] = {"name": name, "pipeline_id": pipeline["id"],
                                       "stage_id": stage, "amount": amount,
                                       "currency": currency}
            if probability is not None:
                body["probability"] = probability
            answer = http.post("/api/v1/deals", json=body)
            assert answer.status_code == 201, answer.text
            return dict(answer.json())

        deal("a", new["id"], 1000)
        moving = deal("b", proposal["id"], 2000, probability=0.8)
        deal("c", proposal["id"], 500, currency="USD")
        funnel = http.get("/api/v1/analytics/sales-funnel",
                          params={"pipeline_id": pipeline["id"]})
        assert funnel.status_code == 200, funnel.text
        body = funnel.json()
        rows = [(s["name"], s["count"], s["value"], s["weighted_value"]) for s in body["stages"]]
        assert rows == [("New", 1, 1000.0, 100.0), ("Proposal", 2, 2500.0, 1850.0),
                        ("Won", 0, 0.0, 0.0)]
        assert (body["total_count"], body["total_value"], body["currency"]) == (3, 3500.0, None)

        eur = http.get("/api/v1/analytics/sales-funnel",
                       params={"pipeline_id": pipeline["id"], "currency": "EUR"}).json()
        assert [s["count"] for s in eur["stages"]] == [1, 1, 0] and eur["total_value"] == 3000.0

        http.patch(f"/api/v1/deals/{moving['id']}", headers={"If-Match": '"1"'},
                   json={"stage_id": won["id"]})
        after = http.get("/api/v1/analytics/sales-funnel",
                         params={"pipeline_id": pipeline["id"]}).json()
        assert [s["count"] for s in after["stages"]] == [1, 1, 1]
        assert after["stages"][2]["value"] == 2000.0

        missing = http.get("/api/v1/analytics/sales-funnel",
                           params={"pipeline_id": str(uuid.uuid4())})
        assert missing.status_code == 404


def test_funnel_of_another_tenant_is_not_found(live_server: LiveServer, tenant: Tenant,
                                               other_tenant: Tenant) -> None:
    with live_server.client(headers=tenant.headers) as http:
        pipeline = http.post("/api/v1/pipelines", json={"name": "Mine"}).json()
    with live_server.client(headers=other_tenant.headers) as stranger:
        assert stranger.get("/api/v1/analytics/sales-funnel",
                            params={"pipeline_id": pipeline["id"]}).status_code == 404


def test_customers_by_source(live_server: LiveServer, tenant: Tenant,
                             other_tenant: Tenant) -> None:
    with live_server.client(headers=tenant.headers) as http:
        for name, source, stage in (("a", "web", "lead"), ("b", "web", "customer"),
                                    ("c", "event", "customer"), ("d", None, "lead"),
                                    ("e", "web", "lead")):
            body = {"name": name, "lifecycle_stage": stage, **({"source": source} if source
                                                               else {})}
            assert http.post("/api/v1/customers", json=body).status_code == 201
        report = http.get("/api/v1/analytics/customers-by-source").json()
        assert report["data"][0] == {"source": "web", "count": 3}
        assert sorted(report["data"][1:], key=str) == sorted(
            [{"source": "event", "count": 1}, {"source": None, "count": 1}], key=str)
        assert report["total"] == 5
        paying = http.get("/api/v1/analytics/customers-by-source",
                          params={"lifecycle_stage": "customer"}).json()
        assert sorted(paying["data"], key=str) == sorted(
            [{"source": "web", "count": 1}, {"source": "event", "count": 1}], key=str)
    with live_server.client(headers=other_tenant.headers) as stranger:
        assert stranger.get("/api/v1/analytics/customers-by-source").json() == {
            "data": [], "total": 0}


def test_ticket_volumes(live_server: LiveServer, tenant: Tenant) -> None:
    today = dt.datetime.now(dt.UTC).date()
    with live_server.client(headers=tenant.headers) as http:
        tickets = [http.post("/api/v1/tickets", json={"subject": f"t{n}"}).json()
                   for n in range(3)]
        solved = http.patch(f"/api/v1/tickets/{tickets[0]['id']}", headers={"If-Match": '"1"'},
                            json={"status": "solved"})
        assert solved.status_code == 200, solved.text
        first = today - dt.timedelta(days=2)
        daily = http.get("/api/v1/analytics/ticket-volumes",
                         params={"from": first.isoformat(), "to": today.isoformat()})
        assert daily.status_code == 200, daily.text
        assert daily.json()["data"] == [
            {"period_start": (first + dt.timedelta(days=n)).isoformat(),
             "created": 3 if n == 2 else 0, "solved": 1 if n == 2 else 0} for n in range(3)]
        monthly = http.get("/api/v1/analytics/ticket-volumes",
                           params={"from": today.isoformat(), "to": today.isoformat(),
                                   "interval": "month"}).json()
        assert monthly["data"] == [{"period_start": today.replace(day=1).isoformat(),
                                    "created": 3, "solved": 1}]
        past = http.get("/api/v1/analytics/ticket-volumes",
                        params={"from": "2020-01-01", "to": "2020-01-31",
                                "interval": "week"}).json()
        assert all(p["created"] == 0 for p in past["data"]) and len(past["data"]) == 5
        assert http.get("/api/v1/analytics/ticket-volumes",
                        params={"from": "2020-01-02", "to": "2020-01-01"}).status_code == 422
        assert http.get("/api/v1/analytics/ticket-volumes",
                        params={"from": "2000-01-01", "to": "2020-01-01"}).status_code == 422
        assert http.get("/api/v1/analytics/ticket-volumes",
                        params={"from": "2020-01-01", "to": "2020-01-xx"}).status_code == 400


def test_periods() -> None:
    monday = dt.date(2026, 1, 5)
    assert period_start(dt.date(2026, 1, 11), "week") == monday
    assert period_start(dt.date(2026, 2, 28), "month") == dt.date(2026, 2, 1)
    assert periods(dt.date(2026, 1, 7), dt.date(2026, 1, 19), "week") == [
        monday, dt.date(2026, 1, 12), dt.date(2026, 1, 19)]
    assert periods(dt.date(2026, 11, 15), dt.date(2027, 2, 1), "month") == [
        dt.date(2026, 11, 1), dt.date(2026, 12, 1), dt.date(2027, 1, 1), dt.date(2027, 2, 1)]
    assert len(periods(dt.date(2026, 1, 1), dt.date(2027, 2, 4), "day")) == 400
    with pytest.raises(PeriodRangeError):
        periods(dt.date(2026, 1, 1), dt.date(2027, 2, 5), "day")
