"""The benchmark fixtures: both FastAPI baselines do the same work, wrk is scripted right, the
harness runs all three servers with both load generators, the report adds up."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import orjson
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from specfirst.contract_tests.benchmarks import (
    CompareConfig,
    compare,
    fastapi_app,
    fastapi_lean_app,
    generate_spec,
    markdown_report,
    operation_count,
)
from specfirst.contract_tests.benchmarks.compare import CREATE_BODY, summarize_rounds
from specfirst.contract_tests.benchmarks.wrk import ensure_wrk, lua_script, parse_report, run_wrk
from specfirst.contract_tests.tests.bench_server import tiny_server
from specfirst.generator.loader import Spec
from specfirst.server.crm import apply_migrations
from specfirst.server.db import Database
from specfirst.server.security import create_token, revoke_token

FACTORIES: dict[str, Callable[[str], FastAPI]] = {
    "fastapi": fastapi_app.create_app,
    "fastapi-lean": fastapi_lean_app.create_app,
}


@pytest.fixture(params=sorted(FACTORIES))
def baseline(request: pytest.FixtureRequest, tmp_path: Path
             ) -> Iterator[tuple[TestClient, Database]]:
    url = f"sqlite:///{(tmp_path / 'b.db').as_posix()}"
    db = Database.from_url(url)
    apply_migrations(db)  # what the benchmark's prepare_database does before starting a server
    app = FACTORIES[request.param](url)
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
    assert client.get(f"/api/v1/customers/{record['id']}",
                      headers={"Authorization": f"Basic {token}"}).status_code == 401
    assert client.get("/api/v1/customers/not-a-uuid", headers=auth).status_code == 422
    assert client.post("/api/v1/customers", json={"name": "B"},
                       headers={"Authorization": f"Bearer {reader}"}).status_code == 403
    assert client.post("/api/v1/customers", headers=auth,
                       json={"name": "B", "version": 7}).status_code == 422
    assert client.post("/api/v1/customers", headers=auth, json={"name": ""}).status_code == 422
    assert client.post("/api/v1/customers", headers=auth,
                       json={"name": "B", "tags": [""]}).status_code == 422
    with db.read() as conn:
        changes = conn.exec_driver_sql("SELECT object_id, action, data FROM changes").all()
        stored = conn.exec_driver_sql("SELECT tags, properties FROM customers").one()
    assert [tuple(c[:2]) for c in changes] == [(record["id"], "created")]  # one feed entry
    assert orjson.loads(changes[0][2]) == record
    assert (orjson.loads(stored[0]), orjson.loads(stored[1])) == (["vip"], {})
    revoke_token(db, token=token)  # revocation is immediate: the token is looked up every time
    assert client.get(f"/api/v1/customers/{record['id']}", headers=auth).status_code == 401


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
            "errors": 0, "requests": int(rps * 10), "peak_rss_mb": 80.0, "client_bound": False,
            "queue_length": 32.0 if rps != 1200 else 96.0, "server_cpu_ms": round(500 / rps, 3)}


def _figures(get: tuple[float, float], create: tuple[float, float]) -> dict[str, Any]:
    runs = {"get_customer": _run(*get), "create_customer": _run(*create)}
    return {"specfirst-bench": runs, "wrk": runs}


def test_summary_takes_medians_and_ratios_against_each_baseline() -> None:
    rounds = [{"figures": {
        "specfirst": _figures((ours, 10), (ours, 40)),
        "fastapi": _figures((base, 20), (base, 20)),
        "fastapi-lean": _figures((2 * base, 10), (lean, 80)),
    }} for ours, base, lean in ((900, 500, 800), (1100, 400, 1000), (1000, 600, 1200))]
    summary = summarize_rounds(rounds)
    assert set(summary) == {"specfirst-bench", "wrk"}
    get = summary["wrk"]["get_customer"]
    assert get["specfirst"]["throughput_rps"] == 1000 and get["fastapi"]["throughput_rps"] == 500
    assert get["specfirst"]["server_cpu_ms"] == pytest.approx(0.5)
    assert get["ratios"]["fastapi"]["throughput_ratio"] == pytest.approx(2.0)
    assert get["ratios"]["fastapi"]["p99_ratio"] == pytest.approx(0.5)
    assert get["ratios"]["fastapi"]["goal_met"]
    assert get["ratios"]["fastapi-lean"]["throughput_ratio"] == pytest.approx(1.0)
    assert get["ratios"]["fastapi-lean"]["p99_ratio"] == pytest.approx(1.0)
    assert get["ratios"]["fastapi-lean"]["goal_met"]
    create = summary["wrk"]["create_customer"]
    assert create["ratios"]["fastapi"]["p99_ratio"] == pytest.approx(2.0)
    assert not create["ratios"]["fastapi"]["goal_met"]
    assert create["ratios"]["fastapi-lean"]["throughput_ratio"] == pytest.approx(1.0)
    assert create["ratios"]["fastapi-lean"]["p99_ratio"] == pytest.approx(0.5)
    report = markdown_report({"compare": {"config": {"concurrency": 32, "duration_s": 10,
                                                     "warmup_s": 2, "rounds": 3},
                                          "load_average": {"before": [1.5, 1, 1],
                                                           "after": [6, 3, 2]},
                                          "rounds": rounds, "summary": summary},
                              "startup": [{"spec": "generated", "operations": 1000,
                                           "serve": {"median_s": 1.5, "samples_s": [1.5],
                                                     "cpu_s": 1.2, "rss_mb": 90},
                                           "mock": {"median_s": 2.5, "samples_s": [2.5],
                                                    "cpu_s": 2.1, "rss_mb": 90}}]})
    assert report.count("| GET /api/v1/customers/{id} | fastapi | 2.00× | 0.50× | yes |") == 2
    assert report.count("| GET /api/v1/customers/{id} | fastapi-lean | 1.00× | 1.00× | yes |") == 2
    assert report.count("| POST /api/v1/customers | fastapi | 2.00× | 2.00× | no |") == 2
    assert report.count("| POST /api/v1/customers | fastapi-lean | 1.00× | 0.50× | yes |") == 2
    assert "before the comparison: 1.50, 1.00, 1.00; after: 6.00, 3.00, 2.00" in report
    assert "| 2 | wrk | POST /api/v1/customers | 1,100 (40) | 400 (20) | 1,000 (80) |" in report
    # the median server CPU per request beside each median: ours 0.50 ms (500 / 1,000 req/s)
    assert report.count("| GET /api/v1/customers/{id} | specfirst | 1,000 |") == 2
    assert all(line.endswith("| 0.50 |") for line in report.splitlines()
               if line.startswith("| GET /api/v1/customers/{id} | specfirst | 1,000 |"))
    littles = next(line for line in report.splitlines() if line.startswith("Little's law"))
    assert "round 3, wrk, fastapi-lean, POST /api/v1/customers (λ·W = 96.0)" in littles
    assert "round 1" not in littles and "round 2" not in littles
    assert "| `specfirst serve` | 1.50 |" in report and "| 1.50 | 1.20 | 90 | yes |" in report
    assert "| 2.50 | 2.10 | 90 | no |" in report


def test_wrk_report_line_becomes_bench_figures() -> None:
    output = ("Running 1s test @ http://127.0.0.1:1/\n"
              'SPECFIRST-WRK {"requests":2000,"duration_us":2000000,"connect":0,"read":1,'
              '"write":0,"status":3,"timeout":0,"mean_us":16000.0,"p50_us":15000,'
              '"p99_us":40000,"max_us":90000}\n')
    figures = parse_report(output, 32)
    assert figures["throughput_rps"] == 1000 and figures["errors"] == 4
    assert figures["errors_by_status"] == {"non-2xx/3xx": 3, "read": 1}
    assert figures["latency_ms"] == {"p50": 15.0, "p99": 40.0, "max": 90.0}
    assert figures["queue_length"] == pytest.approx(16.0)  # Little's law: 1000/s × 16 ms
    with pytest.raises(RuntimeError, match="no report line"):
        parse_report("Running 1s test\n", 32)


def test_wrk_script_sends_the_header_and_a_unique_body_per_request() -> None:
    wrk = ensure_wrk()
    template = CREATE_BODY.replace("Customer", "Kund\u00e9 \\\"q\\\"")  # non-ASCII, escapes
    assert "{{seq}}" in template and "é" in template
    assert "Authorization" in lua_script("POST", {"Authorization": "Bearer x"}, template)
    with tiny_server() as server:
        figures = run_wrk(wrk, f"http://127.0.0.1:{server.port}/echo", "POST",
                          {"Authorization": "Bearer x"}, template, concurrency=4,
                          duration_s=1, warmup_s=0, threads=2)
        bodies = list(server.bodies)
    assert figures["requests"] > 0 and figures["errors"] == 0, figures
    parsed = [orjson.loads(body) for body in bodies]
    emails = [body["email"] for body in parsed]
    assert len(emails) == len(set(emails)) == len(bodies)  # unique across wrk's threads
    assert {body["name"].split(" ")[0] for body in parsed} == {"Kundé"}
    assert all(body["name"].startswith('Kundé "q" ') for body in parsed)
    assert {body["tags"][0] for body in parsed} == {"bench"}


@pytest.mark.slow
def test_harness_runs_all_three_servers_with_both_load_generators() -> None:
    rounds: list[str] = []
    result = compare(CompareConfig(rounds=1, concurrency=8, duration_s=1, warmup_s=0.5),
                     lambda index, name: rounds.append(name), say=lambda _message: None)
    assert sorted(rounds) == ["fastapi", "fastapi-lean", "specfirst"]
    figures = result["rounds"][0]["figures"]
    for name in rounds:  # every server answered both operations under both generators
        for tool in ("specfirst-bench", "wrk"):
            for operation in ("get_customer", "create_customer"):
                run = figures[name][tool][operation]
                assert run["requests"] > 0 and run["errors"] == 0, (name, tool, operation, run)
                assert run["server_cpu_ms"] > 0, (name, tool, operation, run)
    for tool in ("specfirst-bench", "wrk"):
        for operation in ("get_customer", "create_customer"):
            assert set(result["summary"][tool][operation]["ratios"]) == {"fastapi",
                                                                         "fastapi-lean"}
    assert result["load_generators"]["wrk"].startswith("wrk")
    report = markdown_report({"compare": result})
    for baseline in ("fastapi", "fastapi-lean"):
        for label in ("GET /api/v1/customers/{id}", "POST /api/v1/customers"):
            assert report.count(f"| {label} | {baseline} | ") == 4  # 2 generators × 2 tables
    assert "#### Load generator: wrk — wrk" in report
    assert "#### Load generator: specfirst-bench" in report


def test_pairs_reports_each_contenders_range_over_the_rounds() -> None:
    from specfirst.contract_tests.benchmarks.pairs import ranges

    runs = [{"round": 1, "name": "specfirst", "throughput_rps": 900.0, "p99_ms": 40.0,
             "server_cpu_ms": 0.9, "errors": 0},
            {"round": 1, "name": "abc123", "throughput_rps": 800.0, "p99_ms": 50.0,
             "server_cpu_ms": 1.1, "errors": 0},
            {"round": 2, "name": "abc123", "throughput_rps": 850.0, "p99_ms": 45.0,
             "server_cpu_ms": None, "errors": 0},
            {"round": 2, "name": "specfirst", "throughput_rps": 1000.0, "p99_ms": 35.0,
             "server_cpu_ms": 0.8, "errors": 0}]
    assert ranges(runs) == {
        "specfirst": {"throughput_rps": (900.0, 1000.0), "p99_ms": (35.0, 40.0),
                      "server_cpu_ms": (0.8, 0.9)},
        # a run without a CPU reading leaves no range of CPU rather than a wrong one
        "abc123": {"throughput_rps": (800.0, 850.0), "p99_ms": (45.0, 50.0)},
    }


@pytest.mark.slow
def test_pairs_serves_this_checkout_beside_a_revision_alternately() -> None:
    import subprocess

    from specfirst.contract_tests.benchmarks.pairs import at_revision, pairs
    from specfirst.contract_tests.benchmarks.servers import CONTENDERS, OURS, REPO

    ours = next(contender for contender in CONTENDERS if contender.name == OURS)
    lines: list[str] = []
    with at_revision("HEAD") as revision:
        assert revision.name == "HEAD"
        runs = pairs([ours, revision], "create_customer",
                     CompareConfig(rounds=2, concurrency=4, duration_s=1, warmup_s=0.5),
                     ensure_wrk(lambda _message: None), say=lines.append)
    assert [(run["round"], run["name"]) for run in runs] == [
        (1, OURS), (1, "HEAD"), (2, "HEAD"), (2, OURS)]
    assert all(run["throughput_rps"] > 0 and run["errors"] == 0 for run in runs), runs
    assert len(lines) == 4 and all("req/s" in line for line in lines)
    worktrees = subprocess.run(["git", "-C", str(REPO), "worktree", "list"], check=True,
                               capture_output=True, text=True).stdout
    assert "specfirst-pairs-" not in worktrees  # the revision's checkout is gone
