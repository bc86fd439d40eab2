"""The pre-commit hooks (.pre-commit-hooks.yaml), run by the real `pre-commit` on a sample project:
they pass on a good spec and fail on a bad one."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from specfirst.contract_tests.tests.ci_sample import PETS, SPEC, copy_repo, git, write_project

REPO = Path(__file__).resolve().parents[2]
PRE_COMMIT = [sys.executable, "-m", "pre_commit"]
HOOKS = ["specfirst-lint", "specfirst-stubs-check", "specfirst-docs-check", "specfirst-diff"]
pytestmark = [pytest.mark.slow, pytest.mark.timeout(1800)]


@pytest.fixture(scope="module")
def hook_repo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """This repository's files as they are now, committed in a copy (pre-commit installs a
    repository at a revision)."""
    copy = copy_repo(tmp_path_factory.mktemp("hook-repo") / "specfirst")
    git(copy, "init", "-q")
    git(copy, "add", "-A")
    git(copy, "commit", "-q", "-m", "hooks")
    return copy, git(copy, "rev-parse", "HEAD").strip()


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """pre-commit's cache, shared by the tests of this module: specfirst is installed once."""
    return tmp_path_factory.mktemp("pre-commit-home")


def pre_commit(project: Path, home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PRE_COMMIT_HOME": str(home), "NO_COLOR": "1",
           "PRE_COMMIT_COLOR": "never"}
    env.pop("VIRTUAL_ENV", None)
    return subprocess.run([*PRE_COMMIT, *args], cwd=project, env=env, capture_output=True,
                          text=True, timeout=1500)


@pytest.fixture
def project(tmp_path: Path, hook_repo: tuple[Path, str], home: Path) -> Path:
    """The sample project with its handlers and reference docs, committed, with an origin."""
    project = write_project(tmp_path / "petshop")
    specfirst = Path(sys.executable).parent / "specfirst"
    for command in (["stubs"], ["docs"]):
        subprocess.run([str(specfirst), *command], cwd=project, check=True, capture_output=True,
                       timeout=300)
    repo, rev = hook_repo
    hooks: list[dict[str, object]] = [{"id": hook} for hook in HOOKS[:3]]
    hooks.append({"id": "specfirst-diff",
                  "args": ["git:origin/main:openapi/api.yaml", "openapi/api.yaml"]})
    config = {"repos": [{"repo": str(repo), "rev": rev, "hooks": hooks}]}
    (project / ".pre-commit-config.yaml").write_text(yaml.safe_dump(config))
    git(project, "init", "-q")
    git(project, "add", "-A")
    git(project, "commit", "-q", "-m", "petshop")
    git(tmp_path, "clone", "-q", "--bare", str(project), str(tmp_path / "origin.git"))
    git(project, "remote", "add", "origin", str(tmp_path / "origin.git"))
    git(project, "fetch", "-q", "origin")
    return project


def test_hook_file_names_every_hook() -> None:
    hooks = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text())
    assert [hook["id"] for hook in hooks] == HOOKS
    for hook in hooks:
        assert hook["language"] == "python" and hook["entry"].startswith("specfirst ")
        assert hook["pass_filenames"] is False


def try_repo(project: Path, hook_repo: tuple[Path, str], home: Path,
             hook: str) -> subprocess.CompletedProcess[str]:
    """`pre-commit try-repo` (it installs the hook repository afresh each time, in a store of
    its own)."""
    return pre_commit(project, home, "try-repo", str(hook_repo[0]), hook, "--all-files")


def run_hook(project: Path, home: Path, hook: str) -> subprocess.CompletedProcess[str]:
    """`pre-commit run HOOK` with the project's .pre-commit-config.yaml (installed once)."""
    return pre_commit(project, home, "run", hook, "--all-files")


def test_hooks_pass_on_a_good_spec(project: Path, hook_repo: tuple[Path, str],
                                   home: Path) -> None:
    result = try_repo(project, hook_repo, home, "specfirst-lint")
    assert result.returncode == 0, (result.stdout, result.stderr)
    assert "specfirst lint" in result.stdout and "Passed" in result.stdout, result.stdout
    result = pre_commit(project, home, "run", "--all-files")
    assert result.returncode == 0, (result.stdout, result.stderr)
    assert result.stdout.count("Passed") == len(HOOKS), result.stdout


def test_hooks_fail_on_a_bad_spec(project: Path, hook_repo: tuple[Path, str],
                                  home: Path) -> None:
    # No security any more (a lint error), and a new operation with no handler: stale docs too.
    (project / "openapi" / "api.yaml").write_text(
        SPEC.replace("security:\n  - bearer: []\n", ""))
    (project / "openapi" / "paths" / "pets.yaml").write_text(PETS + """\
post:
  operationId: create_pet
  tags: [pets]
  summary: Create a pet
  description: Adds a pet.
  requestBody:
    required: true
    content:
      application/json:
        schema: {$ref: ../schemas/Pet.yaml}
  responses:
    "201": {description: Created.}
""")
    git(project, "add", "-A")
    result = try_repo(project, hook_repo, home, "specfirst-lint")
    assert result.returncode == 1, (result.stdout, result.stderr)
    assert "Failed" in result.stdout and "SF501" in result.stdout, result.stdout
    expected = {"specfirst-lint": "SF501", "specfirst-stubs-check": "create_pet",
                "specfirst-docs-check": "differs from what the spec renders to",
                "specfirst-diff": None}
    for hook, needle in expected.items():
        result = run_hook(project, home, hook)
        if needle is None:  # adding an operation is not breaking
            assert result.returncode == 0, (hook, result.stdout, result.stderr)
            continue
        assert result.returncode == 1, (hook, result.stdout, result.stderr)
        assert "Failed" in result.stdout and needle in result.stdout, (hook, result.stdout)
    # A breaking change (the list's items lose `name`): the gate fails.
    (project / "openapi" / "schemas" / "Pet.yaml").write_text(
        "type: object\ndescription: A pet.\nrequired: [id]\n"
        "properties:\n  id: {type: integer, description: The id.}\n")
    git(project, "add", "-A")
    result = run_hook(project, home, "specfirst-diff")
    assert result.returncode == 1, (result.stdout, result.stderr)
    assert "Failed" in result.stdout and "breaking" in result.stdout.lower(), result.stdout
