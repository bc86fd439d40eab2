"""Options and fixtures for the generator's tests."""

from __future__ import annotations

from pathlib import Path

import pytest
from specfirst.generator.loader import Spec


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-golden", action="store_true", default=False,
        help="Rewrite the expected files of golden tests from the current output "
             "(review the diff before committing).",
    )


@pytest.fixture
def update_golden(request: pytest.FixtureRequest) -> bool:
    """True when the run was started with --update-golden."""
    return bool(request.config.getoption("--update-golden"))


@pytest.fixture(scope="session")
def large_docs(large_public_spec: Path,
               tmp_path_factory: pytest.TempPathFactory) -> tuple[Spec, dict[str, str], Path]:
    """GitHub's REST API rendered once a session: (spec, outputs by file name, folder)."""
    from specfirst.generator.docs import build_site, render_outputs, write_outputs

    spec = Spec.from_path(large_public_spec)
    outputs = render_outputs(build_site(spec))
    folder = tmp_path_factory.mktemp("large-docs")
    write_outputs(outputs, folder)
    return spec, outputs, folder
