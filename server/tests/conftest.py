"""Fixtures of the server tests: a real server per database backend, tenants with tokens."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from specfirst.server.tests.live import LiveServer, drop_database, fresh_database_url

BACKENDS = [
    pytest.param("sqlite", id="sqlite"),
    pytest.param("postgresql", id="postgresql", marks=pytest.mark.postgres),
]


def _database(backend: str, tmp_path_factory: pytest.TempPathFactory) -> str:
    try:
        return fresh_database_url(backend, tmp_path_factory.mktemp(backend))
    except Exception as exc:  # noqa: BLE001 - report why the backend is unusable
        pytest.fail(f"cannot create a {backend} test database: {exc}")


@pytest.fixture(scope="session", params=BACKENDS)
def live_server(request: pytest.FixtureRequest,
                tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """The CRM server on 127.0.0.1 with default settings, one per backend per session."""
    url = _database(request.param, tmp_path_factory)
    try:
        with LiveServer.start(url) as server:
            yield server
    finally:
        drop_database(url)


@dataclass(frozen=True)
class Tenant:
    name: str
    token: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


@pytest.fixture()
def tenant(live_server: LiveServer, request: pytest.FixtureRequest) -> Tenant:
    """A new tenant with an all-scopes token, unique to the test."""
    import uuid

    name = f"t-{uuid.uuid4().hex[:10]}"
    return Tenant(name, live_server.token(name))


@pytest.fixture()
def other_tenant(live_server: LiveServer) -> Tenant:
    import uuid

    name = f"o-{uuid.uuid4().hex[:10]}"
    return Tenant(name, live_server.token(name))


@pytest.fixture()
def backend_url(request: pytest.FixtureRequest,
                tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A fresh, empty database URL for tests that start their own server (parametrize
    `backend_url` indirectly with "sqlite"/"postgresql")."""
    url = _database(request.param, tmp_path_factory)
    try:
        yield url
    finally:
        drop_database(url)
