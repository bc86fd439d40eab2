"""`specfirst lint` on the command line: configuration from pyproject.toml, flags, exit codes."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from specfirst.contract_tests.cli import cli

REPO = Path(__file__).resolve().parents[2]
CASES = Path(__file__).parent / "lint_cases"


def run(*args: str) -> tuple[int, dict[str, Any], str]:
    result = CliRunner().invoke(cli, ["lint", "--format", "json", *args])
    payload = json.loads(result.stdout) if result.stdout.startswith("{") else {}
    return result.exit_code, payload, result.stderr


def rules(payload: dict[str, Any]) -> set[str]:
    return {f["rule"] for f in payload["findings"]}


def test_reference_crm_spec_passes_strict_with_no_findings() -> None:
    code, payload, _ = run("--ruleset", "strict", str(REPO / "openapi" / "crm.yaml"))
    assert payload["findings"] == [], payload["findings"][:5]
    assert code == 0


def test_pyproject_configuration_and_flag(chdir_tmp: Path) -> None:
    shutil.copy(CASES / "SF504" / "bad.yaml", chdir_tmp / "spec.yaml")
    code, payload, _ = run("spec.yaml")
    severities = {f["severity"] for f in payload["findings"] if f["rule"] == "SF504"}
    assert severities == {"warning"}
    (chdir_tmp / "pyproject.toml").write_text(
        "[tool.specfirst.lint]\nextends = 'minimal'\nrules = { unbounded-string = 'error' }\n",
        encoding="utf-8")
    code, payload, _ = run("spec.yaml")
    assert rules(payload) == {"SF504"} and code == 1
    code, payload, _ = run("--ruleset", "strict", "spec.yaml")
    assert "SF509" in rules(payload) and code == 1


def test_unknown_rule_in_pyproject_is_exit_2_with_suggestion(chdir_tmp: Path) -> None:
    (chdir_tmp / "pyproject.toml").write_text(
        "[tool.specfirst.lint]\nrules = { redos-patern = 'off' }\n", encoding="utf-8")
    shutil.copy(CASES / "SF504" / "bad.yaml", chdir_tmp / "spec.yaml")
    code, _, stderr = run("spec.yaml")
    assert code == 2
    assert "did you mean 'redos-pattern'" in stderr
    assert "Traceback" not in stderr


def test_errors_exit_1(tmp_path: Path) -> None:
    code, payload, _ = run(str(CASES / "SF507" / "bad.yaml"))
    assert code == 1 and "SF507" in rules(payload)


@pytest.mark.parametrize("fmt", ["text", "sarif", "junit", "github"])
def test_every_format_to_a_file(tmp_path: Path, fmt: str) -> None:
    out = tmp_path / f"report.{fmt}"
    result = CliRunner().invoke(cli, ["lint", "--format", fmt, "--output", str(out),
                                      str(CASES / "SF507" / "bad.yaml")])
    assert result.exit_code == 1
    assert "SF507" in out.read_text(encoding="utf-8")


def test_list_rules_shows_effective_severities() -> None:
    result = CliRunner().invoke(cli, ["lint", "--list-rules", "--ruleset", "minimal"])
    lines = {line.split()[0]: line.split()[2] for line in result.stdout.splitlines()}
    assert lines["SF507"] == "error" and lines["SF504"] == "off"
    assert len(lines) >= 40


@pytest.mark.parametrize(("threshold", "code"), [
    ("error", 0), ("warn", 1), ("info", 1), ("hint", 1), ("off", 0)])
def test_fail_severity_sets_the_exit_code(chdir_tmp: Path, threshold: str, code: int) -> None:
    # SF504's bad case, without its one error (SF501: no security), has warnings and infos.
    shutil.copy(CASES / "SF504" / "bad.yaml", chdir_tmp / "spec.yaml")
    (chdir_tmp / "pyproject.toml").write_text(
        "[tool.specfirst.lint]\nrules = { SF501 = 'off' }\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["lint", "--fail-severity", threshold, "spec.yaml"])
    assert "error" not in {line.split()[1] for line in result.output.splitlines()
                           if line.startswith("spec.yaml:")}
    assert result.exit_code == code, result.output
    assert "warning SF504" in result.output


def test_fail_severity_off_still_exits_2_on_unreadable_input(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["lint", "--fail-severity", "off",
                                      str(tmp_path / "missing.yaml")])
    assert result.exit_code == 2


def test_max_problems_shows_the_most_severe_and_counts_all() -> None:
    spec = str(CASES / "SF305" / "bad.yaml")
    every = run("--ruleset", "strict", spec)[1]["findings"]
    assert isinstance(every, list) and len(every) > 3
    severities = sorted((f["severity"] == "error" for f in every), reverse=True)
    code, payload, _ = run("--ruleset", "strict", "--max-problems", "3", spec)
    shown = payload["findings"]
    assert isinstance(shown, list) and len(shown) == 3
    assert [f["severity"] == "error" for f in shown] == severities[:3]
    summary = payload["summary"]
    assert isinstance(summary, dict) and summary["omitted"] == len(every) - 3
    assert summary["errors"] == sum(1 for f in every if f["severity"] == "error")
    assert code == 1  # an omitted error still fails the run
    text = CliRunner().invoke(cli, ["lint", "--max-problems", "0", spec]).output
    assert f"{len(every) - 0} more finding(s) not shown" in text or "not shown" in text
