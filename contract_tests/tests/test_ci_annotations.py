"""`specfirst lint --format github`: one workflow command per finding, at the file and line where
the finding is written (through $refs into other files), escaped as GitHub reads it."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from specfirst.contract_tests.cli import cli
from specfirst.contract_tests.tests.ci_sample import PETS, SPEC, write_project

COMMAND = re.compile(r"^::(error|warning|notice) file=([^,:]*),line=(\d+),col=(\d+),"
                     r"title=([^,:]*)::(.*)$")


def unescape(text: str) -> str:
    for code, char in (("%0D", "\r"), ("%0A", "\n"), ("%3A", ":"), ("%2C", ","), ("%25", "%")):
        text = text.replace(code, char)
    return text


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The sample spec with an error in the root file and findings in a referenced file whose
    name needs escaping (a comma, a percent sign)."""
    project = write_project(tmp_path / "shop")
    (project / "openapi" / "paths" / "pets,100%.yaml").write_text(
        PETS.replace("  summary: List pets\n", ""))
    (project / "openapi" / "api.yaml").write_text(
        SPEC.replace("security:\n  - bearer: []\n", "")
        .replace("$ref: paths/pets.yaml", "$ref: paths/pets,100%25.yaml"))
    monkeypatch.chdir(project)
    return project


def lint(fmt: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["lint", "--format", fmt])
    return result.exit_code, result.stdout


def test_every_finding_is_an_annotation_at_its_file_and_line(project: Path) -> None:
    code, text = lint("github")
    json_code, payload = lint("json")
    assert code == json_code == 1  # SF501 is an error
    findings = json.loads(payload)["findings"]
    lines = text.splitlines()
    assert len(lines) == len(findings) >= 3
    seen = []
    for line, finding in zip(lines, findings, strict=True):
        match = COMMAND.match(line)
        assert match, line
        level, file, row, col, title, message = match.groups()
        assert level == {"error": "error", "warning": "warning"}.get(finding["severity"], "notice")
        assert unescape(file) == finding["file"]
        assert (int(row), int(col)) == (finding["line"], finding["column"])
        assert unescape(title) == f"{finding['rule']} {finding['name']}"
        assert unescape(message).startswith(finding["message"])
        seen.append((finding["rule"], unescape(file), int(row)))
    # The root file's error, and the missing summary in the referenced file, at its `get:` line.
    assert ("SF501", "openapi/api.yaml", 13) in seen  # `paths:`
    assert ("SF301", "openapi/paths/pets,100%.yaml", 1) in seen
    assert "file=openapi/paths/pets%2C100%25.yaml," in text


def test_a_clean_spec_prints_no_annotation(project: Path) -> None:
    (project / "openapi" / "api.yaml").write_text(SPEC)
    code, text = lint("github")
    assert code == 0
    assert all(line.startswith("::warning ") for line in text.splitlines())
