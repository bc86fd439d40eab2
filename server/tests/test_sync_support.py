"""Fixtures and helpers shared by the change-feed, webhook and import tests.

`sync_db` is a migrated `Database` on SQLite (a file per test) and on PostgreSQL (one
database per test session on 127.0.0.1:5432, created here and dropped at the end; the sync
tables are emptied before each test). `Receiver` is a webhook endpoint on 127.0.0.1 whose
answers a test scripts per path.
"""

from __future__ import annotations

import os
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import sqlalchemy as sa
from specfirst.server.crm import apply_migrations
from specfirst.server.db import Database

PG_ADMIN_URL = os.environ.get("SPECFIRST_TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
SYNC_TABLES = ("webhook_deliveries", "webhooks", "import_jobs", "changes", "change_horizons")

BACKENDS = [
    pytest.param("sqlite", id="sqlite"),
    pytest.param("postgresql", id="postgresql", marks=pytest.mark.postgres),
]


@pytest.fixture(scope="session")
def pg_url() -> Iterator[str]:
    """A fresh PostgreSQL database for this test session, dropped afterwards."""
    import psycopg

    name = f"sf_sync_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    try:
        admin = psycopg.connect(PG_ADMIN_URL, autocommit=True, connect_timeout=5)
    except psycopg.OperationalError as exc:
        pytest.fail(f"PostgreSQL is required on 127.0.0.1:5432 for the postgres tests: {exc}")
    with admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    base = PG_ADMIN_URL.rsplit("/", 1)[0]
    try:
        yield f"{base}/{name}"
    finally:
        with psycopg.connect(PG_ADMIN_URL, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(params=BACKENDS)
def sync_db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'crm.db'}"
        return
    url = request.getfixturevalue("pg_url")
    db = Database.from_url(url, pool_size=2, max_overflow=2)
    apply_migrations(db)
    with db.write() as conn:
        conn.execute(sa.text("TRUNCATE " + ", ".join(SYNC_TABLES) + " CASCADE"))
    db.dispose()
    yield url


@pytest.fixture()
def sync_db(sync_db_url: str) -> Iterator[Database]:
    db = Database.from_url(sync_db_url)
    apply_migrations(db)
    yield db
    db.dispose()


def new_tenant(db: Database) -> str:
    from specfirst.server.security import ensure_tenant

    return ensure_tenant(db, f"tenant-{uuid.uuid4().hex[:10]}")


def wait_for(condition: Callable[[], bool], timeout: float = 60.0, interval: float = 0.05) -> None:
    """Poll until `condition` holds; the deadline is generous (a loaded CI machine), so it only
    bounds how long a failing test takes."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(interval)
    raise AssertionError("condition not met in time")


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class Receiver:
    """An HTTP endpoint on 127.0.0.1. `script[path]` is a list of answers (status codes, or
    (status, headers) pairs, or ('sleep', seconds)) used in order; the last one repeats."""

    port: int = 0
    script: dict[str, list[object]] = field(default_factory=dict)
    received: list[Received] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def hits(self, path: str) -> list[Received]:
        with self.lock:
            return [item for item in self.received if item.path == path]

    def next_answer(self, path: str) -> object:
        with self.lock:
            answers = self.script.get(path, [204])
            return answers.pop(0) if len(answers) > 1 else answers[0]


def _handler_for(receiver: Receiver) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self) -> None:  # noqa: N802
            body = self.rfile.read(int(self.headers.get("content-length", "0")))
            with receiver.lock:
                receiver.received.append(
                    Received(self.path, {k.lower(): v for k, v in self.headers.items()}, body))
            answer = receiver.next_answer(self.path)
            headers: dict[str, str] = {}
            if isinstance(answer, tuple) and answer[0] == "sleep":
                time.sleep(float(answer[1]))
                answer = 204
            if isinstance(answer, tuple):
                answer, headers = answer
            self.send_response(int(answer))  # type: ignore[call-overload]
            for key, value in headers.items():
                self.send_header(key, value)
            self.send_header("content-length", "0")
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    return Handler


class _ReceiverServer(ThreadingHTTPServer):
    # several delivery workers open up to 20 connections each at once: the default backlog of
    # 5 would refuse some of them, and the deliveries would be retried
    request_queue_size = 128


@pytest.fixture()
def receiver() -> Iterator[Receiver]:
    target = Receiver()
    server = _ReceiverServer(("127.0.0.1", 0), _handler_for(target))
    server.daemon_threads = True
    target.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield target
    server.shutdown()
    server.server_close()
