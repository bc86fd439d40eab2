"""The reference CRM server for the contract suite: databases, the app, tokens, a live process."""

from __future__ import annotations

import os
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from specfirst.contract_tests.pipeline import (
    CheckIdentities,
    ServerProcess,
    free_port,
    serve_command,
)
from specfirst.contract_tests.pipeline.tokens import spec_scopes
from specfirst.generator.loader import Spec

PG_ADMIN_URL = os.environ.get("SPECFIRST_TEST_PG_URL",
                              "postgresql://postgres@127.0.0.1:5432/postgres")


def crm_spec() -> Spec:
    from specfirst.server.crm import SPEC as CRM_SPEC

    return Spec.from_path(CRM_SPEC)


@contextmanager
def database_url(backend: str) -> Iterator[str]:
    """A fresh database: a temporary SQLite file, or a uniquely named PostgreSQL database that
    is dropped afterwards."""
    if backend == "sqlite":
        with tempfile.TemporaryDirectory(prefix="sf-contract-") as folder:
            yield f"sqlite:///{Path(folder) / 'crm.db'}"
        return
    import psycopg

    name = f"sf_contract_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(PG_ADMIN_URL, autocommit=True, connect_timeout=5) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"{PG_ADMIN_URL.rsplit('/', 1)[0]}/{name}"
    finally:
        with psycopg.connect(PG_ADMIN_URL, autocommit=True, connect_timeout=5) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def read_scopes(spec: Spec) -> frozenset[str]:
    return frozenset(scope for scope in spec_scopes(spec.document) if scope.endswith(":read"))


def create_tokens(db_url: str, spec: Spec) -> CheckIdentities:
    """Tokens straight in the database: every scope, read scopes only, another tenant."""
    from specfirst.server.crm import apply_migrations
    from specfirst.server.db import Database
    from specfirst.server.security import create_token

    database = Database.from_url(db_url)
    try:
        apply_migrations(database)
        tenant = f"contract-{uuid.uuid4().hex[:8]}"
        narrow = read_scopes(spec)
        token, _ = create_token(database, tenant)
        second, _ = create_token(database, tenant, sorted(narrow))
        other, _ = create_token(database, tenant + "-other")
    finally:
        database.dispose()
    return CheckIdentities(token, second, narrow, other)


def in_process_app(db_url: str) -> Any:
    """The CRM app with request and response validation on, on `db_url`."""
    from specfirst.server import create_app
    from specfirst.server.crm import HANDLERS, SPEC
    from specfirst.server.settings import ServerSettings

    settings = ServerSettings.from_env({}, database_url=db_url, response_validation=True)
    return create_app(SPEC, handlers=HANDLERS, settings=settings)


@dataclass
class LiveCRM:
    process: ServerProcess
    db_url: str

    @property
    def base_url(self) -> str:
        return self.process.base_url


@contextmanager
def live_crm(db_url: str) -> Iterator[LiveCRM]:
    """`specfirst serve` of the reference CRM on 127.0.0.1 and a free port."""
    from specfirst.server.crm import HANDLERS as CRM_HANDLERS
    from specfirst.server.crm import SPEC as CRM_SPEC

    port = free_port()
    command = serve_command(CRM_SPEC, CRM_HANDLERS, db_url, port)
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env["SPECFIRST_SERVER_RESPONSE_VALIDATION"] = "true"
    with ServerProcess(command, port=port, env=env, start_timeout=60,
                       ready_path="/api/v1/health/live") as process:
        yield LiveCRM(process, db_url)
