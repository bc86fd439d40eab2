"""`specfirst init`: a fresh project passes `specfirst check` and its own pytest at once."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import yaml
from click.testing import CliRunner
from specfirst.contract_tests.cli import cli


def specfirst(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "specfirst.contract_tests.cli", *args],
                          capture_output=True, text=True, timeout=600, cwd=cwd, check=False,
                          env={**os.environ, "NO_COLOR": "1"})


def test_init_refuses_a_folder_that_is_not_empty(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("mine\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["init", str(tmp_path)])
    assert result.exit_code == 2, result.output
    assert "is not empty (notes.txt)" in result.output
    assert "Traceback" not in result.output
    assert sorted(path.name for path in tmp_path.iterdir()) == ["notes.txt"]
    (tmp_path / "file").write_text("", encoding="utf-8")
    result = CliRunner().invoke(cli, ["init", str(tmp_path / "file")])
    assert result.exit_code == 2, result.output


def test_a_new_project_passes_check_and_its_own_tests(tmp_path: Path) -> None:
    project = tmp_path / "my-api"
    result = CliRunner().invoke(cli, ["init", str(project)])
    assert result.exit_code == 0, result.output
    for relative in ("openapi/openapi.yaml", "api/handlers/notes.py", "api/handlers/_models.py",
                     "pyproject.toml", "tests/test_contract.py", ".pre-commit-config.yaml",
                     ".github/workflows/api.yml", "docs/reference/index.html"):
        assert (project / relative).is_file(), relative
    hooks = yaml.safe_load((project / ".pre-commit-config.yaml").read_text(encoding="utf-8"))
    entries = [hook["entry"] for hook in hooks["repos"][0]["hooks"]]
    assert entries == ["specfirst lint --ruleset strict", "specfirst stubs --check",
                       "specfirst docs"]
    assert {hook["language"] for hook in hooks["repos"][0]["hooks"]} == {"system"}
    workflow = yaml.safe_load((project / ".github/workflows/api.yml").read_text(encoding="utf-8"))
    commands = [step.get("run", "") for step in workflow["jobs"]["check"]["steps"]]
    assert any(command.startswith("specfirst check") for command in commands)
    assert "python -m pytest -q" in commands

    lint = specfirst(project, "lint", "--ruleset", "strict")
    assert lint.returncode == 0, lint.stdout + lint.stderr
    assert "no problems found" in lint.stdout + lint.stderr
    check = specfirst(project, "check")
    assert check.returncode == 0, check.stdout + check.stderr
    assert "4 operations (4 reached a 2xx)" in check.stdout + check.stderr
    tests = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"],
                           capture_output=True, text=True, timeout=600, cwd=project,
                           check=False)
    assert tests.returncode == 0, tests.stdout + tests.stderr
    assert "1 passed" in tests.stdout
    assert "crm" not in (check.stdout + check.stderr + tests.stdout).lower()
