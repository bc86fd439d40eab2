"""`specfirst lint --fix`: safe rewrites that keep every other byte of the files."""

from __future__ import annotations

import shutil
from pathlib import Path

from click.testing import CliRunner
from specfirst.contract_tests.cli import cli
from specfirst.generator.lint import lint_spec
from specfirst.generator.lint.config import LintConfig
from specfirst.generator.lint.fix import apply_fixes, plan_fixes
from specfirst.generator.loader import Spec

CASE = Path(__file__).parent / "lint_cases" / "fix"


def copy_case(tmp_path: Path) -> Path:
    target = tmp_path / "fix"
    shutil.copytree(CASE, target)
    for expected in target.rglob("*expected.yaml"):
        expected.unlink()
    return target


def test_fix_rewrites_only_the_fixed_bytes(tmp_path: Path) -> None:
    folder = copy_case(tmp_path)
    spec = Spec.from_path(folder / "spec.yaml")
    findings = lint_spec(spec, config=LintConfig.from_table({}, ruleset="strict",
                                                              plugins=False))
    report = apply_fixes(spec, plan_fixes(spec, findings))
    assert report.skipped == {}
    assert sorted(e.rule for e in report.fixed) == ["SF104", "SF104", "SF301", "SF301", "SF310"]
    assert (folder / "spec.yaml").read_bytes() == (CASE / "expected.yaml").read_bytes()
    assert (folder / "paths" / "pet.yaml").read_bytes() == \
        (CASE / "paths" / "pet.expected.yaml").read_bytes()


def test_fix_renames_links_with_their_operation(tmp_path: Path) -> None:
    spec_path = tmp_path / "spec.yaml"
    spec_path.write_text("""\
openapi: 3.0.3
info: {title: T, version: '1'}
paths:
  /a:
    post:
      operationId: create_a
      summary: Create
      responses:
        '201':
          description: ok
          links:
            Next:
              operationId: getA
  /a/{id}:
    get:
      operationId: getA
      summary: Get
      parameters: [{name: id, in: path, required: true, schema: {type: string}}]
      responses: {'200': {description: ok}}
    delete:
      operationId: delete_a
      summary: Delete
      parameters: [{name: id, in: path, required: true, schema: {type: string}}]
      responses: {'204': {description: ok}}
""", encoding="utf-8")
    spec = Spec.from_path(spec_path)
    apply_fixes(spec, plan_fixes(spec, lint_spec(spec)))
    text = spec_path.read_text(encoding="utf-8")
    assert "getA" not in text
    assert text.count("operationId: get_a") == 2


def test_fix_keeps_crlf_line_endings(tmp_path: Path) -> None:
    spec_path = tmp_path / "spec.yaml"
    text = ("openapi: 3.0.3\ninfo: {title: T, version: '1'}\npaths:\n  /a:\n    get:\n"
            "      operationId: list_a\n      responses: {'200': {description: ok}}\n")
    spec_path.write_bytes(text.replace("\n", "\r\n").encode())
    spec = Spec.from_path(spec_path)
    report = apply_fixes(spec, plan_fixes(spec, lint_spec(spec)))
    assert [e.rule for e in report.fixed] == ["SF301"]
    assert spec_path.read_bytes() == text.replace(
        "      operationId", "      summary: List a\n      operationId").replace(
        "\n", "\r\n").encode()


def test_fix_in_json(tmp_path: Path) -> None:
    spec_path = tmp_path / "spec.json"
    spec_path.write_text("""{
  "openapi": "3.0.3",
  "info": {"title": "T", "version": "1"},
  "paths": {
    "/a": {
      "get": {
        "operationId": "list_a",
        "responses": {"200": {"description": "ok"}}
      }
    }
  }
}
""", encoding="utf-8")
    spec = Spec.from_path(spec_path)
    apply_fixes(spec, plan_fixes(spec, lint_spec(spec)))
    assert '        "summary": "List a",\n        "operationId": "list_a",' in \
        spec_path.read_text(encoding="utf-8")
    assert Spec.from_path(spec_path).document["paths"]["/a"]["get"]["summary"] == "List a"


def test_cli_fix_reports_and_relints(tmp_path: Path) -> None:
    folder = copy_case(tmp_path)
    runner = CliRunner()
    result = runner.invoke(cli, ["lint", "--fix", "--ruleset", "recommended", "--format",
                                 "json", str(folder / "spec.yaml")])
    assert "fixed 5 problem(s)" in result.stderr
    assert '"SF104"' not in result.stdout and '"SF301"' not in result.stdout
    assert (folder / "spec.yaml").read_bytes() == (CASE / "expected.yaml").read_bytes()
