"""Reports of a run: JUnit XML valid against a strict schema, index.html, coverage.json."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import xmlschema
from specfirst.contract_tests.runner import RunOptions, RunResult, run_contract_tests
from specfirst.contract_tests.runner.html import render_html
from specfirst.contract_tests.runner.junit import render_junit
from specfirst.contract_tests.runner.report import write_junit, write_report_dir
from specfirst.contract_tests.runner.results import FailureRecord, OperationResult
from specfirst.contract_tests.tests.apps.notes_app import create_app
from specfirst.generator.loader import Spec

JUNIT_XSD = Path(__file__).with_name("junit.xsd")


@pytest.fixture(scope="module")
def failing_result(notes_spec: Spec) -> RunResult:
    options = RunOptions(app=create_app({"undocumented_status", "plain_json_error"}),
                         token="good-token", seed=3, max_examples=8)
    return run_contract_tests(notes_spec, options)


@pytest.fixture(scope="module")
def passing_result(notes_spec: Spec) -> RunResult:
    options = RunOptions(app=create_app(), token="good-token", seed=3, max_examples=8)
    return run_contract_tests(notes_spec, options)


def _hostile_result() -> RunResult:
    operation = OperationResult(method="get", path="/x/<script>", documented_statuses=["200"])
    operation.cases += 1
    operation.seen_statuses.add(500)
    operation.failures.append(FailureRecord(
        operation=operation.label, check="not_a_server_error", title="<img src=x onerror=alert(1)>",
        message="body: <script>alert(1)</script>\x00\x1b[31m", status=500,
        curl="curl -X GET 'http://127.0.0.1:8000/x/<script>'", phase="fuzzing"))
    return RunResult(operations={operation.label: operation}, seed=1, base_url="http://h")


def test_junit_is_valid_with_one_test_case_per_operation(failing_result: RunResult,
                                                         passing_result: RunResult,
                                                         tmp_path: Path) -> None:
    schema = xmlschema.XMLSchema(JUNIT_XSD)
    for result in (failing_result, passing_result, _hostile_result()):
        path = tmp_path / "junit.xml"
        write_junit(result, path)
        schema.validate(str(path))
        suite = ET.parse(path).getroot().find("testsuite")
        assert suite is not None
        names = [case.get("name") for case in suite.findall("testcase")]
        assert names == list(result.operations)
        assert int(suite.get("tests", "-1")) == len(names)
        failing = [case.get("name") for case in suite.findall("testcase")
                   if case.find("failure") is not None]
        assert failing == [op.label for op in result.operations.values() if op.failures]
        assert int(suite.get("failures", "-1")) == len(failing)


def test_junit_failure_names_the_check_and_the_reproduction(failing_result: RunResult) -> None:
    root = ET.fromstring(render_junit(failing_result))
    case = next(c for c in root.iter("testcase") if c.get("name") == "DELETE /notes/{id}")
    failure = case.find("failure")
    assert failure is not None
    assert "status_code_conformance" in failure.get("message", "")
    assert "curl -X DELETE" in (failure.text or "")


def test_report_dir_has_html_grouped_by_operation_and_check(failing_result: RunResult,
                                                            tmp_path: Path) -> None:
    written = write_report_dir(failing_result, tmp_path / "report", "Notes API")
    assert [path.name for path in written] == ["index.html", "coverage.json"]
    html = (tmp_path / "report" / "index.html").read_text(encoding="utf-8")
    assert "FAILED" in html
    assert 'id="delete-notes-id"' in html
    section = html.split('id="delete-notes-id"', 1)[1].split("</section>", 1)[0]
    assert "<code>status_code_conformance</code>" in section
    assert "curl -X DELETE" in section
    assert 'Authorization: Bearer $TOKEN' in section


def test_coverage_json_lists_every_operation(failing_result: RunResult, tmp_path: Path) -> None:
    write_report_dir(failing_result, tmp_path, "Notes API")
    coverage = json.loads((tmp_path / "coverage.json").read_text(encoding="utf-8"))
    # the Notes spec declares links: how many the run followed, and each one's answers
    assert set(coverage) == {"operations", "links"}
    links = coverage["links"]
    assert links["declared"] == len(links["items"]) == len(failing_result.links) > 0
    assert links["followed"] == len(links["items"])
    for item in links["items"]:
        assert set(item) == {"link", "source", "target", "followed", "seen_statuses"}
        assert item["followed"] >= 1 and item["seen_statuses"]
    rows = {(row["method"], row["path"]): row for row in coverage["operations"]}
    assert set(rows) == {("GET", "/health"), ("GET", "/notes"), ("POST", "/notes"),
                         ("GET", "/notes/{id}"), ("DELETE", "/notes/{id}")}
    for row in rows.values():
        assert set(row) == {"method", "path", "documented_statuses", "seen_statuses", "cases",
                            "failures"}
        assert all(isinstance(code, str) for code in row["documented_statuses"])
        assert row["seen_statuses"] == sorted(row["seen_statuses"])
        assert row["cases"] > 0
    assert rows[("DELETE", "/notes/{id}")]["documented_statuses"] == \
        ["204", "400", "401", "403", "404"]
    assert 200 in rows[("DELETE", "/notes/{id}")]["seen_statuses"]  # the planted status
    assert rows[("DELETE", "/notes/{id}")]["failures"] >= 1
    assert rows[("GET", "/health")]["failures"] == 0


def test_html_escapes_everything_from_the_api() -> None:
    html = render_html(_hostile_result(), "<b>title</b>")
    assert "<script>alert(1)</script>" not in html
    assert "<img src=x" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&lt;b&gt;title&lt;/b&gt;" in html
    # the only script is the report's own copy button
    assert html.count("<script>") == 1


def test_passing_run_report(passing_result: RunResult) -> None:
    html = render_html(passing_result, "Notes API")
    assert "PASSED" in html and "<h3>" not in html
    total = len(passing_result.links)
    assert total and f"<h2>Links: {total} of {total} followed</h2>" in html
