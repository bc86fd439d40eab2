"""`git:REF:path` versions and the `specfirst diff` command's exit codes and formats."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from specfirst.generator.diff import compare, load_version
from specfirst.generator.errors import SpecLoadError, UsageError

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")

SPEC: dict[str, Any] = {
    "openapi": "3.0.3",
    "info": {"title": "t", "version": "1"},
    "paths": {
        "/things": {"get": {"operationId": "list_things", "parameters": [
            {"name": "limit", "in": "query", "schema": {"type": "integer"}}],
            "responses": {"200": {"description": "ok", "content": {"application/json": {
                "schema": {"$ref": "schemas/thing.yaml"}}}}}}},
        "/things/{id}": {"delete": {"operationId": "delete_thing", "parameters": [
            {"name": "id", "in": "path", "required": True, "schema": {"type": "string"}}],
            "responses": {"204": {"description": "gone"}}}},
    },
}
THING: dict[str, Any] = {"type": "object", "required": ["id"],
                         "properties": {"id": {"type": "string"}}}


def git(repo: Path, *args: str) -> str:
    env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com",
           "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.com"}
    done = subprocess.run(["git", *args], cwd=repo, env=env, check=True, capture_output=True,
                          text=True, timeout=30)
    return done.stdout


def write(repo: Path, spec: dict[str, Any], thing: dict[str, Any]) -> None:
    (repo / "api" / "schemas").mkdir(parents=True, exist_ok=True)
    (repo / "api" / "openapi.yaml").write_text(yaml.safe_dump(spec, sort_keys=False))
    (repo / "api" / "schemas" / "thing.yaml").write_text(yaml.safe_dump(thing))


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A repository whose v1 tag has SPEC; the working tree then breaks it in two ways."""
    root = tmp_path / "repo"
    root.mkdir()
    git(root, "init", "-q", "-b", "main")
    write(root, SPEC, THING)
    (root / "api" / "notes.txt").write_text("not a spec file")
    git(root, "add", ".")
    git(root, "commit", "-q", "-m", "v1")
    git(root, "tag", "v1")
    changed = json.loads(json.dumps(SPEC))
    del changed["paths"]["/things/{id}"]
    thing = json.loads(json.dumps(THING))
    thing["properties"]["id"]["type"] = "integer"
    write(root, changed, thing)
    return root


def test_git_revision_against_the_working_tree(repo: Path) -> None:
    old = load_version("git:v1:api/openapi.yaml", cwd=repo)
    new = load_version(str(repo / "api" / "openapi.yaml"))
    ids = sorted(c.id for c in compare(old, new).changes)
    assert ids == ["api-removed-without-deprecation", "response-property-type-changed"]
    removed = next(c for c in compare(old, new).changes if c.new_pointer is None)
    assert removed.old_location is not None
    assert str(removed.old_location).startswith("v1:api/openapi.yaml:")


def test_same_revision_twice_and_relative_paths(repo: Path) -> None:
    old = load_version("git:v1:api/openapi.yaml", cwd=repo)
    same = load_version("git:main:./openapi.yaml", cwd=repo / "api")
    assert compare(old, same).changes == []


def test_git_errors_are_clear(repo: Path) -> None:
    with pytest.raises(SpecLoadError, match="git rev-parse failed"):
        load_version("git:no-such-ref:api/openapi.yaml", cwd=repo)
    with pytest.raises(SpecLoadError, match="does not exist at v1"):
        load_version("git:v1:api/missing.yaml", cwd=repo)
    with pytest.raises(UsageError, match="git:REF:path"):
        load_version("git:v1", cwd=repo)
    with pytest.raises(UsageError, match="inside the repository"):
        load_version("git:v1:../outside.yaml", cwd=repo)


def test_refs_outside_the_spec_folder_are_refused_in_history_too(repo: Path) -> None:
    escaping = json.loads(json.dumps(SPEC))
    escaping["paths"]["/things"]["get"]["responses"]["200"]["content"]["application/json"][
        "schema"] = {"$ref": "../secret.yaml"}
    (repo / "secret.yaml").write_text("type: string\n")
    write(repo, escaping, THING)
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", "escape")
    with pytest.raises(SpecLoadError, match="leaves the spec's folder") as caught:
        load_version("git:main:api/openapi.yaml", cwd=repo)
    assert caught.value.location is not None
    assert caught.value.location.file == "main:api/openapi.yaml"


def run_cli(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    return subprocess.run([sys.executable, "-m", "contract_tests.cli", "diff", *args], cwd=cwd,
                          capture_output=True, text=True, timeout=60, env=env)


def test_cli_exit_codes_and_formats(repo: Path) -> None:
    (repo / "pyproject.toml").write_text("[project]\nname = 'x'\n")
    old, new = "git:v1:api/openapi.yaml", "api/openapi.yaml"
    plain = run_cli(repo, old, new)
    assert plain.returncode == 0, plain.stderr
    assert "breaking api-removed-without-deprecation  DELETE /things/{id}" in plain.stdout
    assert run_cli(repo, old, new, "--fail-on", "breaking").returncode == 1
    assert run_cli(repo, old, new, "--fail-on", "warning").returncode == 1
    same = run_cli(repo, old, "git:v1:api/openapi.yaml", "--fail-on", "warning")
    assert same.returncode == 0 and "no changes" in same.stdout
    data = json.loads(run_cli(repo, old, new, "--format", "json").stdout)
    assert data["breaking"] is True
    assert {c["id"] for c in data["changes"]} == {"api-removed-without-deprecation",
                                                  "response-property-type-changed"}
    markdown = run_cli(repo, old, new, "--format", "markdown").stdout
    assert markdown.startswith("## API changes") and "### Breaking changes" in markdown


def test_cli_warning_threshold(repo: Path, tmp_path: Path) -> None:
    (repo / "pyproject.toml").write_text("[project]\nname = 'x'\n")
    softer = json.loads(json.dumps(SPEC))
    del softer["paths"]["/things"]["get"]["parameters"]  # request-parameter-removed: warning
    write(repo, softer, THING)
    old, new = "git:v1:api/openapi.yaml", "api/openapi.yaml"
    assert run_cli(repo, old, new, "--fail-on", "breaking").returncode == 0
    assert run_cli(repo, old, new, "--fail-on", "warning").returncode == 1


def test_cli_bad_input_is_one_error_line_with_exit_2(repo: Path) -> None:
    (repo / "pyproject.toml").write_text("[project]\nname = 'x'\n")
    result = run_cli(repo, "missing.yaml", "api/openapi.yaml")
    assert result.returncode == 2
    assert result.stderr.startswith("error: missing.yaml: no such file")
    assert "Traceback" not in result.stderr
