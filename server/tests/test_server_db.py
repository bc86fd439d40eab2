"""The database layer: SQLite pragmas, BEGIN IMMEDIATE with retry, URLs, migrations on both
backends."""

from __future__ import annotations

import logging
import sqlite3
import threading
import time
from pathlib import Path

import pytest
from specfirst.generator.errors import ConfigError
from specfirst.server.crm import SERVICES
from specfirst.server.db import Database, DatabaseBusy, normalize_url
from specfirst.server.migrations import apply_migrations, discover, schema_version
from specfirst.server.tests.conftest import BACKENDS
from sqlalchemy import text


def test_urls() -> None:
    assert normalize_url("sqlite:///x.db") == "sqlite+pysqlite:///x.db"
    assert normalize_url("postgresql://u:p@h:5/d") == "postgresql+psycopg://u:p@h:5/d"
    with pytest.raises(ConfigError):
        normalize_url("mysql://u@h/d")
    with pytest.raises(ConfigError):
        Database.from_url("sqlite:///:memory:")


def _hold_write_lock(path: Path, seconds: float, ready: threading.Event) -> None:
    raw = sqlite3.connect(path, isolation_level=None)
    raw.execute("BEGIN IMMEDIATE")
    ready.set()
    time.sleep(seconds)
    raw.execute("COMMIT")
    raw.close()


def _hold_write_lock_until(path: Path, ready: threading.Event,
                           release: threading.Event) -> None:
    raw = sqlite3.connect(path, isolation_level=None)
    raw.execute("BEGIN IMMEDIATE")
    ready.set()
    release.wait(60)
    raw.execute("COMMIT")
    raw.close()


def test_writer_retries_busy_instead_of_failing(tmp_path: Path,
                                                caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="specfirst.server.db")
    path = tmp_path / "busy.db"
    db = Database.from_url(f"sqlite:///{path}", busy_timeout_ms=50, lock_deadline=120)
    with db.write() as conn:
        conn.execute(text("CREATE TABLE t (x INTEGER)"))
    ready, release = threading.Event(), threading.Event()
    holder = threading.Thread(target=_hold_write_lock_until, args=(path, ready, release))
    holder.start()
    assert ready.wait(30)
    errors: list[BaseException] = []

    def insert() -> None:
        try:
            with db.write() as conn:  # busy_timeout expires many times; the write still succeeds
                conn.execute(text("INSERT INTO t VALUES (1)"))
        except BaseException as exc:  # noqa: BLE001 - reported by the assertion below
            errors.append(exc)

    writer = threading.Thread(target=insert)
    writer.start()
    try:
        # Wait (on the log, not the clock) until the writer has met the lock and retried twice.
        deadline = time.monotonic() + 60
        while sum("write lock busy, retrying" in r.getMessage() for r in caplog.records) < 2:
            assert time.monotonic() < deadline, "the writer never retried"
            assert writer.is_alive(), errors
            time.sleep(0.02)
        assert writer.is_alive()  # still waiting for the lock, not failed
    finally:
        release.set()
        holder.join(60)
    writer.join(60)
    assert not writer.is_alive() and errors == []
    with db.read() as conn:
        assert conn.execute(text("SELECT count(*) FROM t")).scalar() == 1


def test_writer_gives_up_with_databasebusy_after_the_deadline(tmp_path: Path) -> None:
    path = tmp_path / "stuck.db"
    db = Database.from_url(f"sqlite:///{path}", busy_timeout_ms=20, lock_deadline=0.3)
    with db.write() as conn:
        conn.execute(text("CREATE TABLE t (x INTEGER)"))
    ready = threading.Event()
    holder = threading.Thread(target=_hold_write_lock, args=(path, 1.5, ready))
    holder.start()
    ready.wait(5)
    with pytest.raises(DatabaseBusy):
        with db.write() as conn:
            conn.execute(text("INSERT INTO t VALUES (1)"))
    holder.join(5)


def test_sqlite_connections_are_configured(tmp_path: Path) -> None:
    db = Database.from_url(f"sqlite:///{tmp_path / 'p.db'}")
    with db.read() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert conn.execute(text("PRAGMA busy_timeout")).scalar() == 5000


def test_write_rolls_back_on_error(tmp_path: Path) -> None:
    db = Database.from_url(f"sqlite:///{tmp_path / 'r.db'}")
    with db.write() as conn:
        conn.execute(text("CREATE TABLE t (x INTEGER)"))
    with pytest.raises(RuntimeError):
        with db.write() as conn:
            conn.execute(text("INSERT INTO t VALUES (1)"))
            raise RuntimeError("boom")
    with db.read() as conn:
        assert conn.execute(text("SELECT count(*) FROM t")).scalar() == 0


@pytest.mark.parametrize("backend_url", BACKENDS, indirect=True)
def test_concurrent_migrations_apply_each_version_once(backend_url: str) -> None:
    errors: list[BaseException] = []

    def migrate() -> None:
        try:
            db = Database.from_url(backend_url, pool_size=1, max_overflow=1)
            apply_migrations(db, SERVICES)
            db.dispose()
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=migrate) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    db = Database.from_url(backend_url)
    for chain, package in (("specfirst", "specfirst.server.migrations"),
                           ("crm", "specfirst.server.crm.migrations")):
        expected = sorted(m.version for m in discover(package, chain))
        with db.read() as conn:
            assert sorted(conn.execute(text("SELECT version FROM specfirst_migrations "
                                            "WHERE chain = :c"), {"c": chain}).scalars()
                          ) == expected
        assert schema_version(db, chain) == expected[-1]
    assert apply_migrations(db, SERVICES) == []
    db.dispose()
