"""Persistence: one SQLAlchemy 2 Core engine per process, SQLite by default, PostgreSQL by URL.

`Database.from_url(url)` accepts `sqlite:///path/to/file.db` (the embedded default) and
`postgresql://user:password@host:port/dbname` (driven by psycopg 3). On SQLite every connection
runs in WAL mode with `busy_timeout` and `foreign_keys=ON`; `Database.write()` opens every write
transaction with `BEGIN IMMEDIATE`, so two writers never deadlock on a lock upgrade and a
read-then-write inside one transaction cannot lose an update. A writer that cannot take the lock
within `busy_timeout` retries (with a bounded total wait) instead of surfacing `database is
locked` to a client.

    db = Database.from_url("sqlite:///app.db")
    with db.write() as conn:          # one write transaction, committed on exit
        conn.execute(...)
    with db.read() as conn:           # a consistent read
        conn.execute(...).all()
"""

from __future__ import annotations

import logging
import random
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

import anyio.to_thread
from specfirst.generator.errors import ConfigError
from specfirst.server.fifo_lock import FifoLock
from specfirst.server.group_commit import GroupCommit
from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

__all__ = ["Database", "DatabaseBusy", "normalize_url"]

log = logging.getLogger(__name__)

T = TypeVar("T")

BUSY_TIMEOUT_MS = 5000
# Total time a writer keeps retrying `BEGIN IMMEDIATE` before giving up (503).
WRITE_LOCK_DEADLINE_S = 60.0


class DatabaseBusy(Exception):
    """The write lock could not be taken in time (reported as 503, never as a raw BUSY)."""


def normalize_url(url: str) -> str:
    """`sqlite:///x.db` and `postgresql://...` with the drivers we ship; anything else refused."""
    try:
        parsed = make_url(url)
    except Exception:  # noqa: BLE001 - SQLAlchemy raises several types for bad URLs
        raise ConfigError("database URL is not valid (expected sqlite:///FILE or "
                          "postgresql://USER@HOST/DB)") from None
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        return str(parsed.set(drivername="sqlite+pysqlite").render_as_string(hide_password=False))
    if backend in ("postgresql", "postgres"):
        return str(parsed.set(drivername="postgresql+psycopg").render_as_string(
            hide_password=False))
    raise ConfigError(f"unsupported database backend {backend!r}",
                      hint="use sqlite:///FILE or postgresql://USER@HOST/DB")


def _is_busy(exc: BaseException) -> bool:
    orig = getattr(exc, "orig", exc)
    return isinstance(orig, sqlite3.OperationalError) and (
        "locked" in str(orig) or "busy" in str(orig).lower())


class Database:
    """One engine (and connection pool) per process; reads and write transactions."""

    def __init__(self, engine: Engine, *, lock_deadline: float = WRITE_LOCK_DEADLINE_S):
        self.engine = engine
        self.lock_deadline = lock_deadline
        self.dialect = engine.dialect.name
        self.is_sqlite = self.dialect == "sqlite"
        self._local = threading.local()
        # SQLite has one writer at a time: this process's writers queue here, first come first
        # served, instead of polling the file lock through the busy handler (which left tail
        # latencies of seconds under 32 concurrent creates). Other processes still meet at
        # BEGIN IMMEDIATE.
        self._writers = FifoLock()
        self._group = GroupCommit(self.write)

    @classmethod
    def from_url(cls, url: str, *, pool_size: int = 10, max_overflow: int = 30,
                 busy_timeout_ms: int = BUSY_TIMEOUT_MS,
                 lock_deadline: float = WRITE_LOCK_DEADLINE_S) -> Database:
        full = normalize_url(url)
        parsed = make_url(full)
        if parsed.get_backend_name() == "sqlite":
            database = parsed.database or ""
            if database in ("", ":memory:"):
                raise ConfigError("an in-memory SQLite database cannot be shared by the server's "
                                  "threads; give a file: sqlite:///path/to/file.db")
            Path(database).expanduser().parent.mkdir(parents=True, exist_ok=True)
            # Every connection is kept (no overflow): an overflow connection is closed when
            # it is returned, and opening one (file open + PRAGMAs) cost a quarter of a read
            # request's CPU time under 32 connections. Same ceiling as pool + overflow.
            engine = create_engine(
                full, pool_size=pool_size + max_overflow, max_overflow=0, pool_timeout=60,
                connect_args={"timeout": busy_timeout_ms / 1000, "check_same_thread": False},
            )
            _configure_sqlite(engine, busy_timeout_ms)
        else:
            engine = create_engine(full, pool_size=pool_size, max_overflow=max_overflow,
                                   pool_pre_ping=True, pool_timeout=60)
        return cls(engine, lock_deadline=lock_deadline)

    @contextmanager
    def write(self) -> Iterator[Connection]:
        """A connection inside a write transaction; commit on success, rollback on error."""
        with self._writer_turn(), self.engine.connect() as conn:
            if self.is_sqlite:
                self._begin_immediate(conn)
            else:
                conn.begin()
            try:
                yield conn
                # inside the try: a COMMIT that fails (a deferred constraint, a full disk)
                # leaves SQLite's transaction open, and the connection goes back to the pool
                conn.commit()
            except BaseException:
                self._roll_back(conn)
                raise

    def write_grouped(self, work: Callable[[Connection], T]) -> T:
        """`work(conn)` inside a write transaction, its result returned after the commit.

        On SQLite concurrent calls share one transaction (group commit,
        `specfirst.server.group_commit`): each in its own savepoint, so one failing leaves the
        others' writes in place, and each returns only once the shared commit succeeded. On
        other backends each call is one transaction of its own."""
        if self.is_sqlite:
            return self._group.run(work)
        with self.write() as conn:
            return work(conn)

    async def write_grouped_async(self, work: Callable[[Connection], T]) -> T:
        """`write_grouped` for a coroutine (an `async def` handler): on SQLite the unit is
        queued from the event loop, run by the process's writer thread with the batch it joins,
        and the coroutine resumed after the commit, with no worker thread of its own; on other
        backends `write_grouped` runs in a worker thread."""
        if self.is_sqlite:
            return await self._group.run_async(work)
        return await anyio.to_thread.run_sync(self.write_grouped, work)

    @contextmanager
    def _writer_turn(self) -> Iterator[None]:
        if not self.is_sqlite:
            yield
            return
        if not self._writers.acquire(timeout=WRITE_LOCK_DEADLINE_S):
            raise DatabaseBusy("the database is busy")
        try:
            yield
        finally:
            self._writers.release()

    def _roll_back(self, conn: Connection) -> None:
        conn.rollback()
        if self.is_sqlite:  # SQLAlchemy may consider a transaction whose COMMIT failed closed
            driver = conn.connection.driver_connection
            if driver is not None and driver.in_transaction:
                driver.execute("ROLLBACK")

    @contextmanager
    def read(self) -> Iterator[Connection]:
        """A connection for reads (one deferred transaction, rolled back on exit)."""
        with self.engine.connect() as conn:
            try:
                yield conn
            finally:
                conn.rollback()

    def _begin_immediate(self, conn: Connection) -> None:
        deadline = time.monotonic() + self.lock_deadline
        attempt = 0
        while True:
            try:
                # the "begin" listener below emits BEGIN IMMEDIATE right here (no extra
                # statement needed to force it: each one inside the write lock costs a GIL
                # hand-off)
                conn.execution_options(sqlite_begin="IMMEDIATE").begin()
                return
            except OperationalError as exc:
                conn.rollback()
                if not _is_busy(exc) or time.monotonic() > deadline:
                    if _is_busy(exc):
                        raise DatabaseBusy("the database is busy") from None
                    raise
                attempt += 1
                log.info("write lock busy, retrying (attempt %d)", attempt)
                time.sleep(min(0.05 * attempt, 0.5) * random.uniform(0.5, 1.0))

    def dispose(self) -> None:
        self.engine.dispose()

    def __repr__(self) -> str:
        return f"Database({self.engine.url.render_as_string(hide_password=True)!r})"


def _configure_sqlite(engine: Engine, busy_timeout_ms: int) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Take transaction control away from the driver: we emit BEGIN ourselves.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        mode = conn.get_execution_options().get("sqlite_begin", "DEFERRED")
        conn.exec_driver_sql(f"BEGIN {mode}")
