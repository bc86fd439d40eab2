"""`make test` prepares the machine itself (.ci/prepare), and .ci/run adds ruff and mypy."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


def prepare(**env: str) -> subprocess.CompletedProcess[str]:
    inherited = {k: v for k, v in os.environ.items() if k != "SPECFIRST_PREPARE"}  # .ci/run's
    return subprocess.run([str(REPO / ".ci" / "prepare")], cwd=REPO, capture_output=True,
                          text=True, timeout=1800, env={**inherited, **env})


def test_prepare_is_idempotent_and_says_what_is_there() -> None:
    first = prepare()  # installs or starts what is missing (the test suite's own needs)
    assert first.returncode == 0, first.stderr
    again = prepare()
    assert again.returncode == 0, again.stderr
    assert "installing" not in again.stderr and "starting" not in again.stderr
    assert again.stderr.strip().splitlines()[-1].startswith("prepare: ok: chromium, node v")
    assert "PostgreSQL on 127.0.0.1:5432" in again.stderr
    assert shutil.which("npm") and shutil.which("node")
    ready = subprocess.run(["pg_isready", "-h", "127.0.0.1", "-p", "5432"], timeout=60)
    assert ready.returncode == 0


def test_prepare_can_be_skipped() -> None:
    skipped = prepare(SPECFIRST_PREPARE="0")
    assert skipped.returncode == 0 and "skipped" in skipped.stderr


@pytest.mark.parametrize("target", ["test", "test-fast"])
def test_make_test_prepares_first(target: str) -> None:
    plan = subprocess.run(["make", "-n", target], cwd=REPO, capture_output=True, text=True,
                          timeout=60)
    assert plan.returncode == 0, plan.stderr
    lines = plan.stdout.splitlines()
    [prep] = [i for i, line in enumerate(lines) if line.strip().endswith(".ci/prepare")]
    [tests] = [i for i, line in enumerate(lines) if "-m pytest" in line]
    assert prep < tests
    assert " -n 2" in lines[tests]  # two pytest-xdist processes unless PYTEST_WORKERS says


def test_ci_run_prepares_lints_typechecks_and_tests() -> None:
    script = (REPO / ".ci" / "run").read_text()
    assert "set -euo pipefail" in script  # any failing step, pytest's exit 5 included, fails it
    order = [script.index(step) for step in
             (".ci/prepare", "make --no-print-directory ruff",
              "make --no-print-directory typecheck", "make --no-print-directory test")]
    assert order == sorted(order)
    plan = subprocess.run(["make", "-n", "typecheck"], cwd=REPO, capture_output=True,
                          text=True, timeout=60)
    assert "mypy -p specfirst.generator -p specfirst.server -p specfirst.contract_tests" \
        in plan.stdout
