"""Fixtures of the contract-test suite: the Notes API served over loopback, its spec."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from specfirst.contract_tests.pipeline import ServerProcess, free_port
from specfirst.generator.loader import Spec

NOTES_SPEC = Path(__file__).with_name("apps") / "notes.yaml"


def notes_server_command(app_ref: str, port: int) -> list[str]:
    """uvicorn serving a Notes app (`module:factory` or `module:attr`) on 127.0.0.1:port."""
    factory = ["--factory"] if app_ref.endswith("create_app") else []
    return [sys.executable, "-m", "uvicorn", *factory, "--host", "127.0.0.1",
            "--port", str(port), "--log-level", "warning", app_ref]


@pytest.fixture(scope="session")
def notes_spec() -> Spec:
    return Spec.from_path(NOTES_SPEC)


@pytest.fixture()
def notes_server() -> Iterator[ServerProcess]:
    """The correct Notes API over HTTP on loopback, stopped after the test."""
    port = free_port()
    command = notes_server_command("specfirst.contract_tests.tests.apps.notes_app:create_app", port)
    with ServerProcess(command, port=port, start_timeout=30) as server:
        yield server
