"""The GitHub Action (action.yml) and the GitLab CI template: their shell steps run against a
recording stand-in for `specfirst`, and the snippets docs/ci.md gives users match them."""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
ACTION = yaml.safe_load((REPO / "action.yml").read_text())
GITLAB = yaml.safe_load((REPO / ".ci" / "gitlab" / "specfirst.gitlab-ci.yml").read_text())
HOOKS = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text())
CI_DOC = (REPO / "docs" / "ci.md").read_text()


@pytest.fixture
def stubs(tmp_path: Path) -> Path:
    """`specfirst` and `python` that record their arguments, one call a line (NUL-separated)."""
    folder = tmp_path / "bin"
    folder.mkdir()
    for name in ("specfirst", "python"):
        script = folder / name
        script.write_text("#!/usr/bin/env bash\n"
                          f"printf '{name}' >> \"$CALLS\"\n"
                          "for a in \"$@\"; do printf '\\0%s' \"$a\" >> \"$CALLS\"; done\n"
                          "echo >> \"$CALLS\"\n"
                          f"if [ {name} = specfirst ] && [ \"$1\" = check ]; then exit "
                          "\"${CHECK_EXIT:-0}\"; fi\n")
        script.chmod(0o755)
    return folder


def calls(path: Path) -> list[list[str]]:
    return [line.split("\0") for line in path.read_text().splitlines()] if path.exists() else []


def run_script(script: str, stubs: Path, tmp_path: Path,
               env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    full = {"PATH": f"{stubs}{os.pathsep}/usr/bin:/bin", "CALLS": str(tmp_path / "calls"),
            "HOME": str(tmp_path), **env}
    return subprocess.run(["bash", "-e", "-o", "pipefail", "-c", script], cwd=tmp_path,
                          env=full, capture_output=True, text=True, timeout=60)


Step = tuple[str, dict[str, str]]


def action_step(step: dict[str, Any], inputs: dict[str, str], outputs: dict[str, str]) -> Step:
    """A `run` step's script and env with `${{ inputs.* }}` and `${{ steps.check.outputs.* }}`
    filled in as GitHub does."""
    values = {name: spec.get("default", "") for name, spec in ACTION["inputs"].items()}
    values.update(inputs)

    def fill(text: str) -> str:
        text = re.sub(r"\$\{\{\s*inputs\.([\w-]+)\s*\}\}", lambda m: values[m.group(1)], text)
        return re.sub(r"\$\{\{\s*steps\.check\.outputs\.([\w-]+)\s*\}\}",
                      lambda m: outputs.get(m.group(1), ""), text)

    assert step["shell"] == "bash"
    return fill(step["run"]), {k: fill(str(v)) for k, v in step.get("env", {}).items()}


def run_action(inputs: dict[str, str], stubs: Path, tmp_path: Path,
               check_exit: int = 0) -> tuple[list[list[str]], int]:
    """Run the action's shell steps in order (their `if`s evaluated); the calls made, and the
    exit code of the first failing step (0 when none failed)."""
    output_file = tmp_path / "github_output"
    outputs: dict[str, str] = {}
    annotate = inputs.get("annotate", ACTION["inputs"]["annotate"]["default"])
    for step in ACTION["runs"]["steps"]:
        if "run" not in step:
            continue
        if step.get("if") == "inputs.annotate == 'true'" and annotate != "true":
            continue
        assert step.get("if") in (None, "inputs.annotate == 'true'"), step
        script, env = action_step(step, inputs, outputs)
        output_file.write_text("")
        result = run_script(script, stubs, tmp_path,
                            {**env, "GITHUB_OUTPUT": str(output_file),
                             "CHECK_EXIT": str(check_exit)})
        for line in output_file.read_text().splitlines():
            key, _, value = line.partition("=")
            outputs[key] = value
        if result.returncode != 0:
            return calls(tmp_path / "calls"), result.returncode
    return calls(tmp_path / "calls"), 0


def test_action_is_composite_and_uploads_the_reports() -> None:
    assert ACTION["runs"]["using"] == "composite"
    assert {"spec", "args", "version"} <= set(ACTION["inputs"])
    uses = [step.get("uses", "") for step in ACTION["runs"]["steps"]]
    assert any(u.startswith("actions/upload-artifact@") for u in uses)
    upload = next(s for s in ACTION["runs"]["steps"]
                  if s.get("uses", "").startswith("actions/upload-artifact@"))
    assert upload["if"] == "always()" and upload["with"]["path"] == "${{ inputs.report-dir }}"


def test_action_installs_annotates_checks_and_passes(stubs: Path, tmp_path: Path) -> None:
    made, code = run_action({"spec": "openapi/api.yaml", "version": "0.2.0",
                             "args": "--handlers api.handlers --baseline git:origin/main:a b.yaml"},
                            stubs, tmp_path)
    assert code == 0
    assert made[0] == ["python", "-m", "pip", "install", "--disable-pip-version-check",
                       "--quiet", "specfirst==0.2.0"]
    assert made[1] == ["specfirst", "--version"]
    assert made[2] == ["specfirst", "lint", "openapi/api.yaml", "--format", "github"]
    assert made[3] == ["specfirst", "check", "openapi/api.yaml", "--junit",
                       "specfirst-report/junit.xml", "--report", "specfirst-report/html",
                       "--handlers", "api.handlers", "--baseline", "git:origin/main:a", "b.yaml"]
    assert (tmp_path / "specfirst-report").is_dir()


def test_action_defaults_and_failure(stubs: Path, tmp_path: Path) -> None:
    made, code = run_action({"annotate": "false"}, stubs, tmp_path, check_exit=1)
    assert code == 1  # the job fails with the check's exit code, after the upload step
    assert made[0][-1] == "specfirst"  # the latest release
    assert [c[:2] for c in made[1:]] == [["specfirst", "--version"], ["specfirst", "check"]]
    assert made[2] == ["specfirst", "check", "--junit", "specfirst-report/junit.xml",
                       "--report", "specfirst-report/html"]


def test_gitlab_template_job(stubs: Path, tmp_path: Path) -> None:
    job = GITLAB["specfirst"]
    assert job["extends"] == ".specfirst"
    base = GITLAB[".specfirst"]
    variables = {k: str(v) for k, v in GITLAB["variables"].items()}
    variables.update({"SPECFIRST_SPEC": "openapi/api.yaml", "SPECFIRST_VERSION": "0.2.0",
                      "SPECFIRST_ARGS": "--handlers api.handlers",
                      "CI_DEFAULT_BRANCH": "main"})
    script = "\n".join([*base["before_script"], *job["script"]])
    result = run_script(script.replace("git fetch", "true"), stubs, tmp_path, variables)
    assert result.returncode == 0, result.stderr
    made = calls(tmp_path / "calls")
    assert made[0] == ["python", "-m", "pip", "install", "--quiet", "specfirst==0.2.0"]
    assert made[2] == ["specfirst", "lint", "openapi/api.yaml", "--format", "junit", "--output",
                       "specfirst-report/lint.xml"]
    assert made[3] == ["specfirst", "check", "openapi/api.yaml", "--junit",
                       "specfirst-report/junit.xml", "--report", "specfirst-report/html",
                       "--handlers", "api.handlers"]
    assert job["artifacts"]["when"] == "always"
    assert "$SPECFIRST_REPORT_DIR/junit.xml" in job["artifacts"]["reports"]["junit"]


def yaml_blocks(after: str) -> list[Any]:
    section = CI_DOC[CI_DOC.index(after):]
    section = section[:section.index("\n### ", 1)] if "\n### " in section[1:] else section
    return [yaml.safe_load(b) for b in re.findall(r"```yaml\n(.*?)```", section, re.S)]


def test_documented_snippets_match_the_files() -> None:
    workflow = yaml_blocks("### GitHub Actions")[0]
    [uses] = [s for s in workflow["jobs"]["specfirst"]["steps"]
              if "specfirst" in s.get("uses", "")]
    assert set(uses["with"]) <= set(ACTION["inputs"])
    gitlab = yaml_blocks("### GitLab CI")[0]
    assert gitlab["include"][0]["remote"].endswith("/.ci/gitlab/specfirst.gitlab-ci.yml")
    assert set(gitlab["variables"]) <= set(GITLAB["variables"])
    precommit = yaml_blocks("### pre-commit")[0]
    documented = [h["id"] for h in precommit["repos"][0]["hooks"]]
    assert documented == [h["id"] for h in HOOKS]
    assert "pip install -e" not in CI_DOC
