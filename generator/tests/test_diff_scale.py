"""Each change once, where it was made: the grouped report, its verdicts, and the CI formats.

A shared schema changed once reaches every operation that uses it; the report tells the change
once with the operations it affects, while its level is still decided per use (the request
side and the response side of one schema are two changes). Comparing every schema pair once
must give exactly what comparing it again at every use gives: checked on GitHub's REST API.
"""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET

import pytest
import xmlschema
import yaml
from jsonschema import Draft4Validator
from specfirst.generator.diff import DiffResult, Level, compare, render
from specfirst.generator.loader import Spec
from specfirst.generator.tests.test_lint_output import sarif_schema  # noqa: F401 (fixture)

from conftest import npm_install

OLD_OCTOKIT = "@octokit/openapi@18"
NEW_OCTOKIT = "@octokit/openapi@19"
TODAY = dt.date(2026, 1, 1)  # the corpus' date
JUNIT_XSD = Path(__file__).resolve().parents[2] / "contract_tests" / "tests" / "junit.xsd"


def _verdicts_from_report(report: dict[str, Any]) -> dict[str, bool]:
    """Operation -> breaking, read from the grouped JSON report."""
    found: dict[str, bool] = {}
    for change in report["changes"]:
        for name in report["operation_sets"][change["operation_set"]]:
            found[name] = found.get(name, False) or change["level"] == "breaking"
    return found


def _verdicts_per_use(result: DiffResult) -> dict[str, bool]:
    found: dict[str, bool] = {}
    for change in result.changes:
        found[change.operation] = found.get(change.operation, False) \
            or change.level is Level.BREAKING
    return found


def _api(pet: dict[str, Any], *, paths: int = 3) -> dict[str, Any]:
    """`Pet` read by POST /petsN and returned by GET /petsN (N < paths)."""
    document: dict[str, Any] = {"openapi": "3.0.3", "info": {"title": "t", "version": "1"},
                                "paths": {}, "components": {"schemas": {"Pet": pet}}}
    ref = {"$ref": "#/components/schemas/Pet"}
    for n in range(paths):
        document["paths"][f"/pets{n}"] = {
            "get": {"responses": {"200": {"description": "ok", "content": {
                "application/json": {"schema": ref}}}}},
            "post": {"requestBody": {"content": {"application/json": {"schema": ref}}},
                     "responses": {"201": {"description": "created"}}},
        }
    return document


def _pair(tmp_path: Path, old: dict[str, Any], new: dict[str, Any]) -> tuple[Path, Path]:
    (tmp_path / "old").mkdir()
    (tmp_path / "new").mkdir()
    old_path, new_path = tmp_path / "old" / "api.yaml", tmp_path / "new" / "api.yaml"
    old_path.write_text(yaml.safe_dump(old, sort_keys=False), encoding="utf-8")
    new_path.write_text(yaml.safe_dump(new, sort_keys=False), encoding="utf-8")
    return old_path, new_path


PET = {"type": "object", "properties": {"kind": {"type": "string", "enum": ["cat", "dog"]},
                                        "name": {"type": "string"}}}
PET_WIDER = {"type": "object", "properties": {
    "kind": {"type": "string", "enum": ["cat", "dog", "bird"]}, "name": {"type": "string"}}}


@pytest.fixture
def shared(tmp_path: Path) -> tuple[Path, Path]:
    return _pair(tmp_path, _api(PET), _api(PET_WIDER))


def test_a_shared_schema_change_is_reported_once_per_side_with_its_operations(
        shared: tuple[Path, Path]) -> None:
    result = compare(Spec.from_path(shared[0]), Spec.from_path(shared[1]))
    # per use: every operation, once each
    assert sorted((c.id, c.operation) for c in result.changes) == sorted(
        [("request-property-enum-value-added", f"POST /pets{n}") for n in range(3)]
        + [("response-property-enum-value-added", f"GET /pets{n}") for n in range(3)])
    # grouped: once per side, where it was made, each with its operations
    response, request = result.groups
    assert (response.id, response.level) == ("response-property-enum-value-added",
                                              Level.BREAKING)
    assert (request.id, request.level) == ("request-property-enum-value-added", Level.INFO)
    assert response.operations == ("GET /pets0", "GET /pets1", "GET /pets2")
    assert request.operations == ("POST /pets0", "POST /pets1", "POST /pets2")
    assert response.message.startswith("property 'kind' of schema 'Pet': enum value")
    assert response.pointer == "/components/schemas/Pet/properties/kind"
    assert response.uses == 3
    verdicts = result.verdicts()
    assert {name for name, level in verdicts.items() if level is Level.BREAKING} == {
        "GET /pets0", "GET /pets1", "GET /pets2"}
    report = json.loads(render(result, "json"))
    assert report["summary"] == {"breaking": 1, "warning": 0, "info": 1}
    assert report["operations"] == {"breaking": 3, "warning": 0, "info": 3}
    assert report["uses"] == 6
    assert _verdicts_from_report(report) == _verdicts_per_use(result)


def test_text_and_markdown_tell_each_change_once_with_its_operations(
        shared: tuple[Path, Path]) -> None:
    result = compare(Spec.from_path(shared[0]), Spec.from_path(shared[1]))
    text = render(result, "text")
    assert text.count("response-property-enum-value-added") == 1
    assert "affects GET /pets0, GET /pets1, GET /pets2" in text
    assert text.rstrip().endswith("1 breaking, 0 warning, 1 info (2 changes); 6 operations "
                                  "affected, 3 with a breaking change")
    markdown = render(result, "markdown")
    assert markdown.count("#### schema `Pet`") == 2  # under each level
    assert "3 operations: `GET /pets0`, `GET /pets1`, `GET /pets2`" in markdown


def test_markdown_groups_by_resource_and_counts_operations_beyond_ten(tmp_path: Path) -> None:
    old, new = _api(PET, paths=12), _api(PET_WIDER, paths=12)
    new["paths"]["/pets0"]["get"]["parameters"] = [
        {"name": "limit", "in": "query", "required": True, "schema": {"type": "integer"}}]
    old_path, new_path = _pair(tmp_path, old, new)
    markdown = render(compare(Spec.from_path(old_path), Spec.from_path(new_path)), "markdown")
    assert "#### `/pets0`" in markdown and "#### schema `Pet`" in markdown
    assert "12 operations: " in markdown and " and 2 more" in markdown


def test_fail_on_breaking_keeps_its_verdict(shared: tuple[Path, Path], tmp_path: Path) -> None:
    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "specfirst.contract_tests", "diff", *args],
                              capture_output=True, text=True, check=False, timeout=300,
                              cwd=tmp_path)

    assert run("old/api.yaml", "new/api.yaml", "--fail-on", "breaking").returncode == 1
    assert run("new/api.yaml", "new/api.yaml", "--fail-on", "breaking").returncode == 0
    done = run("old/api.yaml", "new/api.yaml", "--format", "github")
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert len(lines) == 2
    error = next(line for line in lines if line.startswith("::error "))
    # at the changed property in the NEW version
    new_lines = shared[1].read_text(encoding="utf-8").splitlines()
    line = int(error.split("line=")[1].split(",")[0])
    assert error.startswith("::error file=new/api.yaml,line=")
    assert new_lines[line - 2].strip() == "kind:"  # the first line of the property's schema
    assert "title=breaking response-property-enum-value-added::" in error
    assert "Affects 3 operations: GET /pets0, GET /pets1, GET /pets2." in error
    assert next(line for line in lines if line.startswith("::notice "))


def test_github_annotations_of_a_removal_point_into_the_old_version(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    new = _api(PET)
    del new["paths"]["/pets2"]
    old_path, new_path = _pair(tmp_path, _api(PET), new)
    text = render(compare(Spec.from_path(old_path), Spec.from_path(new_path)), "github")
    removed = [line for line in text.splitlines() if "api-removed-without-deprecation" in line]
    assert len(removed) == 2
    old_lines = old_path.read_text(encoding="utf-8").splitlines()
    for annotation in removed:
        assert annotation.startswith("::error file=old/api.yaml,line=")
        line = int(annotation.split("line=")[1].split(",")[0])
        assert old_lines[line - 2].strip() in ("get:", "post:")  # the operation's first line


def test_sarif_is_valid_2_1_0(shared: tuple[Path, Path],
                              sarif_schema: dict[str, object]) -> None:  # noqa: F811
    result = compare(Spec.from_path(shared[0]), Spec.from_path(shared[1]))
    log = json.loads(render(result, "sarif"))
    errors = sorted(Draft4Validator(sarif_schema).iter_errors(log), key=str)
    assert not errors, [e.message for e in errors[:5]]
    results = log["runs"][0]["results"]
    assert [(r["ruleId"], r["level"]) for r in results] == [
        ("response-property-enum-value-added", "error"),
        ("request-property-enum-value-added", "note")]
    region = results[0]["locations"][0]["physicalLocation"]["region"]
    assert region["startLine"] >= 1
    assert results[0]["properties"]["operations"] == ["GET /pets0", "GET /pets1", "GET /pets2"]
    empty = json.loads(render(compare(Spec.from_path(shared[0]), Spec.from_path(shared[0])),
                              "sarif"))
    assert not list(Draft4Validator(sarif_schema).iter_errors(empty))


def test_junit_is_valid_with_a_failure_per_breaking_change(shared: tuple[Path, Path]) -> None:
    result = compare(Spec.from_path(shared[0]), Spec.from_path(shared[1]))
    text = render(result, "junit")
    xmlschema.XMLSchema(JUNIT_XSD).validate(text)
    root = ET.fromstring(text)
    assert root.get("tests") == "2" and root.get("failures") == "1"
    (failure,) = root.findall(".//failure")
    assert failure.get("type") == "breaking"
    assert "GET /pets0, GET /pets1, GET /pets2" in (failure.text or "")
    same = compare(Spec.from_path(shared[0]), Spec.from_path(shared[0]))
    clean = render(same, "junit")
    xmlschema.XMLSchema(JUNIT_XSD).validate(clean)
    assert ET.fromstring(clean).get("failures") == "0"


@pytest.mark.slow
def test_github_rest_api_grouped_verdicts_equal_the_verdicts_per_use() -> None:
    """GitHub's REST API 18 -> 19: every schema pair compared once gives the same changes, at
    every use, as comparing it again at each use; the grouped report's verdict per operation
    equals the one computed per use."""
    def spec(package: str) -> Spec:
        return Spec.from_path(npm_install(package) / "generated" / "api.github.com.json")

    old, new = spec(OLD_OCTOKIT), spec(NEW_OCTOKIT)
    once = compare(old, new)
    again = compare(old, new, memoize=False)
    assert once.changes == again.changes
    assert [c.message for c in once.changes] == [c.message for c in again.changes]
    report = json.loads(render(once, "json"))
    assert _verdicts_from_report(report) == _verdicts_per_use(again)
    assert report["uses"] == len(again.changes)
    assert sum(change["operation_count"] for change in report["changes"]) \
        <= len(again.changes)
    assert len(report["changes"]) < len(again.changes)
    # each change once: no two groups tell the same change at the same place
    told = [(c["id"], c["old_pointer"], c["new_pointer"], c["message"])
            for c in report["changes"]]
    assert len(told) == len(set(told))


def test_every_corpus_case_gives_the_same_changes_compared_once_or_at_every_use() -> None:
    """The rule corpus, compared with each schema pair once and again at every use: the same
    changes in the same order, with the same messages and pointers."""
    cases = Path(__file__).parent / "diff_cases"
    names = sorted(p.name for p in cases.iterdir() if (p / "expected.json").exists())
    assert len(names) > 200
    for name in names:
        options = json.loads((cases / name / "expected.json").read_text(encoding="utf-8")) \
            .get("options", {})
        old = Spec.from_path(cases / name / "old.yaml")
        new = Spec.from_path(cases / name / "new.yaml")
        once = compare(old, new, today=TODAY, **options)
        again = compare(old, new, today=TODAY, memoize=False, **options)
        assert [(c.id, c.operation, c.message, c.old_pointer, c.new_pointer)
                for c in once.changes] == \
            [(c.id, c.operation, c.message, c.old_pointer, c.new_pointer)
             for c in again.changes], name
