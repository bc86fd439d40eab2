"""The contenders — our CRM server and two FastAPI baselines — how to start each on a fresh
database, and how much memory it holds."""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
from specfirst.contract_tests.pipeline import ServerProcess, free_port

__all__ = ["BASELINES", "CONTENDERS", "OURS", "Contender", "Prepared", "RssSampler", "cpu_seconds",
           "prepare_database", "rss_bytes", "started"]

REPO = Path(__file__).resolve().parents[2]
BENCH_RATE_LIMIT = 1_000_000_000


@dataclass(frozen=True)
class Contender:
    name: str
    command: Callable[[int, str], list[str]]  # (port, database URL) -> argv


def _ours(port: int, url: str) -> list[str]:
    return [sys.executable, "-m", "specfirst.contract_tests.cli", "serve", "--host", "127.0.0.1",
            "--port", str(port), "--db", url, "--workers", "1"]


def _uvicorn(factory: str) -> Callable[[int, str], list[str]]:
    def command(port: int, _url: str) -> list[str]:  # the app reads DATABASE_URL
        return [sys.executable, "-m", "uvicorn", "--factory", factory, "--host", "127.0.0.1",
                "--port", str(port), "--workers", "1", "--log-level", "warning",
                "--no-access-log"]

    return command


OURS = "specfirst"
#: The two FastAPI baselines: as a FastAPI user would write it (SQLAlchemy, a sync dependency),
#: and as one would write it for speed (stdlib sqlite3, one thread hand-off per request).
BASELINES = ("fastapi", "fastapi-lean")
CONTENDERS = (
    Contender(OURS, _ours),
    Contender("fastapi", _uvicorn("specfirst.contract_tests.benchmarks.fastapi_app:create_app")),
    Contender("fastapi-lean",
              _uvicorn("specfirst.contract_tests.benchmarks.fastapi_lean_app:create_app")),
)


@dataclass(frozen=True)
class Prepared:
    url: str
    token: str


def prepare_database(folder: Path) -> Prepared:
    """A fresh SQLite database with the CRM schema and a token holding every scope."""
    from specfirst.server.crm import apply_migrations
    from specfirst.server.db import Database
    from specfirst.server.security import create_token

    folder.mkdir(parents=True, exist_ok=True)
    url = f"sqlite:///{(folder / 'bench.db').as_posix()}"
    database = Database.from_url(url)
    try:
        apply_migrations(database)
        token, _ = create_token(database, "bench")
    finally:
        database.dispose()
    return Prepared(url, token)


def rss_bytes(pid: int) -> int:
    """Resident set size of a process (Linux /proc; 0 where unavailable)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def cpu_seconds(pid: int) -> float:
    """User + system CPU time a process has used so far (Linux /proc; 0 where unavailable)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return 0.0


class RssSampler:
    """Peak RSS of a process, sampled in a background thread while a block runs."""

    def __init__(self, pid: int, interval_s: float = 0.2):
        self.pid = pid
        self.interval_s = interval_s
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, rss_bytes(self.pid))
            self._stop.wait(self.interval_s)

    def __enter__(self) -> RssSampler:
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._stop.set()
        self._thread.join(5)
        self.peak = max(self.peak, rss_bytes(self.pid))


@contextmanager
def started(contender: Contender, folder: Path) -> Iterator[tuple[ServerProcess, Prepared, str]]:
    """Run one contender on a fresh database; yields (process, database, seeded customer id).

    Our server's rate limiter stays on, counting every request, with a quota no benchmark run
    reaches (`SPECFIRST_SERVER_RATE_LIMIT`, unless set already): the default, 100,000 per minute,
    is within reach of both load generators' runs on one server."""
    prepared = prepare_database(folder)
    port = free_port()
    env = {"SPECFIRST_SERVER_RATE_LIMIT": str(BENCH_RATE_LIMIT), **os.environ,
           "DATABASE_URL": prepared.url, "PYTHONPATH": str(REPO)}
    with ServerProcess(contender.command(port, prepared.url), port=port, env=env, cwd=REPO,
                       start_timeout=60) as server:
        reply = httpx.post(f"{server.base_url}/api/v1/customers", timeout=30,
                           headers={"Authorization": f"Bearer {prepared.token}"},
                           json={"name": "Ada Lovelace", "email": "ada@example.com",
                                 "tags": ["vip"], "properties": {"segment": "fintech"}})
        reply.raise_for_status()
        yield server, prepared, str(reply.json()["id"])
