"""The wheel as a user gets it: product only, installed with pipx outside the repository, running
the pipeline steps that docs/ci.md tells users to paste, on a project of the test's own."""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from specfirst.contract_tests.tests.ci_sample import SPEC, copy_repo, git, write_project

REPO = Path(__file__).resolve().parents[2]
pytestmark = [pytest.mark.slow, pytest.mark.timeout(1800)]

def documented_steps() -> list[str]:
    """The `specfirst ...` lines of the pipeline-steps block in docs/ci.md."""
    text = (REPO / "docs" / "ci.md").read_text()
    match = re.search(r"<!-- pipeline-steps[^>]*-->\n```sh\n(.*?)```", text, re.S)
    assert match, "docs/ci.md has no pipeline-steps block"
    lines = [line.strip() for line in match.group(1).splitlines() if line.strip()]
    assert lines[0] == "pip install specfirst"  # a package, not this repository
    steps = [line for line in lines if line.startswith("specfirst ")]
    assert len(steps) == len(lines) - 1
    return steps


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    source = copy_repo(tmp_path_factory.mktemp("source") / "specfirst")
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(out),
                    str(source)], check=True, timeout=900, capture_output=True)
    [built] = out.glob("specfirst-*.whl")
    return built


@pytest.fixture(scope="module")
def installed(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """`pipx install` of the wheel, in a pipx home outside the repository: the bin folder."""
    home = tmp_path_factory.mktemp("pipx")
    env = {**os.environ, "PIPX_HOME": str(home / "home"), "PIPX_BIN_DIR": str(home / "bin"),
           "PIPX_MAN_DIR": str(home / "man")}
    env.pop("VIRTUAL_ENV", None)
    result = subprocess.run([sys.executable, "-m", "pipx", "install", "--python", sys.executable,
                             str(wheel)], env=env, capture_output=True, text=True, timeout=1500,
                            cwd=home)
    assert result.returncode == 0, result.stdout + result.stderr
    yield home / "bin"


def test_the_wheel_holds_the_product_only(wheel: Path) -> None:
    names = zipfile.ZipFile(wheel).namelist()
    tops = {name.split("/")[0] for name in names}
    assert tops == {"specfirst", wheel.name.split("-")[0] + "-" + wheel.name.split("-")[1]
                    + ".dist-info"}
    parts = {part for name in names for part in name.split("/")[:-1]}
    for unwanted in ("tests", "benchmarks", "golden", "diff_cases", "lint_cases", "node_modules"):
        assert unwanted not in parts, [n for n in names if f"/{unwanted}/" in n][:5]
    assert not [n for n in names if re.search(r"(^|/)(test_|conftest)[^/]*\.py$", n)]
    assert "specfirst/contract_tests/cli/__init__.py" in names
    assert any(n.startswith("specfirst/generator/templates/") and n.endswith(".jinja")
               for n in names)
    assert len(names) < 400, len(names)


def run(bin_dir: Path, project: Path, line: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PATH": f"{bin_dir}{os.pathsep}/usr/bin:/bin", "NO_COLOR": "1"}
    env.pop("VIRTUAL_ENV", None)
    env.pop("PYTHONPATH", None)
    return subprocess.run(shlex.split(line), cwd=project, env=env, capture_output=True,
                          text=True, timeout=600)


def test_pipx_installed_wheel_runs_the_documented_steps(installed: Path, wheel: Path,
                                                        tmp_path: Path) -> None:
    version = wheel.name.split("-")[1]
    result = run(installed, tmp_path, "specfirst --version")
    assert result.returncode == 0 and result.stdout.strip() == f"specfirst, version {version}"
    # The command runs from the pipx environment, not from this repository.
    where = run(installed, tmp_path, "specfirst completion bash")
    assert where.returncode == 0 and "_SPECFIRST_COMPLETE" in where.stdout
    assert not (installed / "specfirst").resolve().is_relative_to(REPO)

    project = write_project(tmp_path / "petshop")
    for setup in ("specfirst stubs", "specfirst docs"):
        done = run(installed, project, setup)
        assert done.returncode == 0, done.stderr
    origin = tmp_path / "origin.git"
    git(project, "init", "-q", "-b", "main")
    git(project, "add", "-A")
    git(project, "commit", "-q", "-m", "petshop")
    git(tmp_path, "clone", "-q", "--bare", str(project), str(origin))
    git(project, "remote", "add", "origin", str(origin))
    git(project, "fetch", "-q", "origin")

    steps = documented_steps()
    assert [s.split()[1] for s in steps] == ["lint", "stubs", "docs", "bundle", "diff"]
    for line in steps:
        done = run(installed, project, line)
        assert done.returncode == 0, (line, done.stdout, done.stderr)
        if line.startswith("specfirst lint"):
            # warnings as annotations at file:line, in the file that holds them
            assert "::warning file=openapi/paths/pets.yaml,line=11,col=11,title=SF403" \
                in done.stdout, done.stdout
    bundled = (project / "dist" / "openapi.yaml").read_text()
    assert "$ref: '#/components/schemas/Pet'" in bundled and "paths/pets.yaml" not in bundled

    # A breaking change: the operation goes. Every gate but lint now fails.
    (project / "openapi" / "api.yaml").write_text(SPEC.replace(
        "  /pets:\n    $ref: paths/pets.yaml\n", "  {}\n").replace("paths:\n  {}", "paths: {}"))
    expected = {"lint": 0, "stubs": 1, "docs": 1, "bundle": 0, "diff": 1}
    for line in steps:
        done = run(installed, project, line)
        assert done.returncode == expected[line.split()[1]], (line, done.stdout, done.stderr)
        assert "Traceback" not in done.stderr
