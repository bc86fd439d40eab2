"""A real server process for tests: `specfirst serve` on 127.0.0.1, a free port, its own DB.

    with LiveServer.start(db_url, env={"SPECFIRST_SERVER_RATE_LIMIT": "5"}) as server:
        token = server.token("acme")
        httpx.get(server.url + "/api/v1/customers", headers=server.auth(token))

`fresh_database_url(backend)` gives a temporary SQLite file, or a uniquely named PostgreSQL
database in the cluster at 127.0.0.1:5432 (dropped by `drop_database`).
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Any

import httpx
from specfirst.server.db import Database
from specfirst.server.security import create_token

__all__ = ["LiveServer", "PG_ADMIN_URL", "drop_database", "fresh_database_url", "free_port"]

PG_ADMIN_URL = os.environ.get("SPECFIRST_TEST_PG_URL",
                              "postgresql://postgres@127.0.0.1:5432/postgres")
REPO = Path(__file__).resolve().parents[2]
START_TIMEOUT_S = 40.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def fresh_database_url(backend: str, folder: Path | None = None) -> str:
    if backend == "sqlite":
        folder = folder or Path(tempfile.mkdtemp(prefix="sf-server-"))
        return f"sqlite:///{folder / 'crm.db'}"
    import psycopg

    name = f"sf_server_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(PG_ADMIN_URL, autocommit=True, connect_timeout=5) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    return f"{PG_ADMIN_URL.rsplit('/', 1)[0]}/{name}"


def drop_database(url: str) -> None:
    if not url.startswith("postgresql"):
        return
    import psycopg

    name = url.rsplit("/", 1)[1]
    with psycopg.connect(PG_ADMIN_URL, autocommit=True, connect_timeout=5) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@dataclass
class LiveServer:
    db_url: str
    port: int
    process: subprocess.Popen[bytes]
    log_path: Path
    _db: Database | None = field(default=None, repr=False)

    @classmethod
    def start(cls, db_url: str, *, env: Mapping[str, str] | None = None,
              args: Sequence[str] = (), workers: int = 1,
              ready_path: str = "/api/v1/health/live") -> LiveServer:
        port = free_port()
        environment = {k: v for k, v in os.environ.items()
                       if not k.startswith("SPECFIRST_SERVER_")}
        environment.update({"DATABASE_URL": db_url, "PYTHONUNBUFFERED": "1"})
        environment.update(env or {})
        log = tempfile.NamedTemporaryFile(prefix="sf-server-", suffix=".log", delete=False)
        command = [sys.executable, "-c", "from specfirst.contract_tests.cli import main; main()",
                   "serve", *args, "--db", db_url, "--host", "127.0.0.1", "--port", str(port),
                   "--workers", str(workers)]
        process = subprocess.Popen(command, cwd=REPO, env=environment, stdout=log,
                                   stderr=subprocess.STDOUT, start_new_session=True)
        server = cls(db_url, port, process, Path(log.name))
        server.wait_ready(ready_path)
        return server

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def wait_ready(self, ready_path: str = "/api/v1/health/live") -> None:
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"server exited early:\n{self.log()}")
            try:
                if httpx.get(self.url + ready_path, timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"server not ready in {START_TIMEOUT_S}s:\n{self.log()}")

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")[-5000:]

    @property
    def db(self) -> Database:
        if self._db is None:
            self._db = Database.from_url(self.db_url, pool_size=2, max_overflow=4)
        return self._db

    def token(self, tenant: str, scopes: Sequence[str] | None = None) -> str:
        return create_token(self.db, tenant, scopes)[0]

    @staticmethod
    def auth(token: str, **extra: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {token}", **extra}

    def client(self, **kwargs: Any) -> httpx.Client:
        return httpx.Client(base_url=self.url, timeout=30, **kwargs)

    def kill(self) -> None:
        """SIGKILL the whole process group (uvicorn and its workers), no shutdown."""
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.kill()
        if self._db is not None:
            self._db.dispose()
            self._db = None

    def __enter__(self) -> LiveServer:
        return self

    def __exit__(self, *_exc: type[BaseException] | BaseException | TracebackType | None
                 ) -> None:
        self.stop()
