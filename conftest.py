"""Fixtures shared by every package's tests: third-party specs and tools installed on demand.

Third-party specs are never committed: they are installed from npm into a cache folder
(`$SPECFIRST_TEST_CACHE`, default `~/.cache/specfirst-tests`) the first time a test needs them.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

OAS_EXAMPLES = "@readme/oas-examples@7"
OCTOKIT_OPENAPI = "@octokit/openapi@19"


def cache_dir() -> Path:
    root = Path(os.environ.get("SPECFIRST_TEST_CACHE", Path.home() / ".cache" / "specfirst-tests"))
    root.mkdir(parents=True, exist_ok=True)
    return root


def npm_install(package: str) -> Path:
    """Install an npm package (name@range) into its own cached prefix; return node_modules/NAME."""
    name = package.rsplit("@", 1)[0] if package.count("@") > (1 if package.startswith("@") else 0) \
        else package
    prefix = cache_dir() / "npm" / package.replace("/", "__").replace("@", "_")
    target = prefix / "node_modules" / name
    if not (target / "package.json").exists():
        npm = shutil.which("npm")
        if npm is None:
            pytest.fail("npm is required to install third-party test fixtures (see .ci/run)")
        prefix.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            [npm, "install", "--prefix", str(prefix), "--no-audit", "--no-fund",
             "--loglevel=error", package],
            check=True, timeout=600,
        )
    return target


def npm_bin(package: str, command: str) -> Path:
    """The path of an npm package's executable, installing the package if needed."""
    module_dir = npm_install(package)
    node_modules = module_dir.parent.parent if module_dir.parent.name.startswith("@") \
        else module_dir.parent
    return node_modules / ".bin" / command


def _oas_example_files(root: Path) -> list[Path]:
    files = []
    for version in ("3.0", "3.1"):
        folder = root / version
        for ext in ("json", "yaml"):
            files.extend(sorted((folder / ext).glob(f"*.{ext}")))
    return files


@pytest.fixture(scope="session")
def oas_examples_dir() -> Path:
    """The `@readme/oas-examples` package: real specs nobody here wrote."""
    return npm_install(OAS_EXAMPLES)


@pytest.fixture(scope="session")
def public_specs(oas_examples_dir: Path) -> list[Path]:
    """Every OpenAPI 3.0/3.1 document in `@readme/oas-examples` (JSON and YAML variants)."""
    files = _oas_example_files(oas_examples_dir)
    assert files, f"no specs found under {oas_examples_dir}"
    return files


@pytest.fixture(scope="session")
def large_public_spec() -> Path:
    """GitHub's REST API description (about a thousand operations), from `@octokit/openapi`."""
    root = npm_install(OCTOKIT_OPENAPI)
    candidates = sorted(root.glob("generated/api.github.com.json"))
    assert candidates, f"api.github.com.json not found under {root}"
    return candidates[0]


@pytest.fixture
def repo_root() -> Path:
    return Path(__file__).parent


@pytest.fixture
def chdir_tmp(tmp_path: Path) -> Iterator[Path]:
    """Run the test in an empty folder with its own pyproject.toml (no repository config)."""
    old = Path.cwd()
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'x'\n")
    os.chdir(tmp_path)
    try:
        yield tmp_path
    finally:
        os.chdir(old)


def load_json(path: Path) -> object:
    return json.loads(path.read_text(encoding="utf-8"))
