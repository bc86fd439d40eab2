"""The benchmark fixtures: the FastAPI baseline does the same work, the report adds up."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from specfirst.contract_tests.benchmarks import generate_spec, markdown_report, operation_count
from specfirst.contract_tests.benchmarks.compare import summarize_rounds
from specfirst.contract_tests.benchmarks.fastapi_app import create_app
from specfirst.generator.loader import Spec
from specfirst.server.db import Database
from specfirst.server.security import create_token


@pytest.fixture()
def baseline(tmp_path: Path) -> Iterator[tuple[TestClient, Database]]:
    url = f"sqlite:///{(tmp_path / 'b.db').as_posix()}"
    app = create_app(url)
    db = Database.from_url(url)
    with TestClient(app) as client:
        yield client, db
    db.dispose()


def test_baseline_validates_and_scopes_like_the_crm(baseline: tuple[TestClient, Database]
                                                    ) -> None:
    client, db = baseline
    token, _ = create_token(db, "acme")
    other, _ = create_token(db, "globex")
    reader, _ = create_token(db, "acme", ["customers:read"])
    auth = {"Authorization": f"Bearer {token}"}
    created = client.post("/api/v1/customers", headers=auth,
                          json={"name": "Ada", "email": "ada@example.com", "tags": ["vip"]})
    assert created.status_code == 201
    record = created.json()
    assert created.headers["location"] == f"/api/v1/customers/{record['id']}"
    assert created.headers["etag"] == '"1"' and record["version"] == 1
    fetched = client.get(f"/api/v1/customers/{record['id']}", headers=auth)
    assert fetched.status_code == 200 and fetched.json() == record
    assert client.get(f"/api/v1/customers/{record['id']}",
                      headers={**auth, "If-None-Match": '"1"'}).status_code == 304
    assert client.get(f"/api/v1/customers/{record['id']}",
                      headers={"Authorization": f"Bearer {other}"}).status_code == 404
    assert client.get(f"/api/v1/customers/{record['id']}").status_code == 401
    assert client.post("/api/v1/customers", json={"name": "B"},
                       headers={"Authorization": f"Bearer {reader}"}).status_code == 403
    assert client.post("/api/v1/customers", headers=auth,
                       json={"name": "B", "version": 7}).status_code == 422
    assert client.post("/api/v1/customers", headers=auth, json={"name": ""}).status_code == 422
    with db.read() as conn:
        changes = conn.exec_driver_sql("SELECT object_id FROM changes").scalars().all()
    assert changes == [record["id"]]  # the create wrote its change-feed entry


def test_generated_spec_is_valid_and_sized() -> None:
    assert operation_count(generate_spec()) == 1000
    document = generate_spec(resources=3)
    assert operation_count(document) == 24
    assert json.dumps(generate_spec(3)) == json.dumps(document)  # deterministic


def test_generated_spec_loads(tmp_path: Path) -> None:
    path = tmp_path / "large.json"
    path.write_text(json.dumps(generate_spec(resources=3)))
    assert Spec.from_path(path).document["paths"]


def _run(rps: float, p99: float) -> dict[str, Any]:
    return {"throughput_rps": rps, "latency_ms": {"p50": p99 / 2, "p99": p99}, "mean_ms": p99 / 3,
            "errors": 0, "peak_rss_mb": 80.0, "client_bound": False}


def test_summary_takes_medians_and_ratios() -> None:
    rounds = [{"figures": {
        "specfirst": {"get_customer": _run(ours, 10), "create_customer": _run(ours, 40)},
        "fastapi": {"get_customer": _run(base, 20), "create_customer": _run(base, 20)},
    }} for ours, base in ((900, 500), (1100, 400), (1000, 600))]
    summary = summarize_rounds(rounds)
    get = summary["get_customer"]
    assert get["specfirst"]["throughput_rps"] == 1000 and get["fastapi"]["throughput_rps"] == 500
    assert get["throughput_ratio"] == pytest.approx(2.0)
    assert get["p99_ratio"] == pytest.approx(0.5) and get["goal_met"]
    create = summary["create_customer"]
    assert create["p99_ratio"] == pytest.approx(2.0) and not create["goal_met"]
    report = markdown_report({"compare": {"config": {"concurrency": 32, "duration_s": 10,
                                                     "warmup_s": 2, "rounds": 3},
                                          "summary": summary},
                              "startup": [{"spec": "generated", "operations": 1000,
                                           "serve": {"median_s": 1.5, "samples_s": [1.5],
                                                     "cpu_s": 1.2, "rss_mb": 90},
                                           "mock": {"median_s": 2.5, "samples_s": [2.5],
                                                    "cpu_s": 2.1, "rss_mb": 90}}]})
    assert "| GET /api/v1/customers/{id} | 2.00× | 0.50× | yes |" in report
    assert "| POST /api/v1/customers | 2.00× | 2.00× | no |" in report
    assert "| `specfirst serve` | 1.50 |" in report and "| 1.50 | 1.20 | 90 | yes |" in report
    assert "| 2.50 | 2.10 | 90 | no |" in report
