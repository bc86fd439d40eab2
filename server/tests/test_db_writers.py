"""Writers of one SQLite database queue in-process: all succeed, in turn, even after errors."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from specfirst.server.db import Database
from sqlalchemy import text


def test_concurrent_writers_take_turns(tmp_path: Path) -> None:
    db = Database.from_url(f"sqlite:///{(tmp_path / 'w.db').as_posix()}")
    with db.write() as conn:
        conn.execute(text("CREATE TABLE counter (n INTEGER NOT NULL)"))
        conn.execute(text("INSERT INTO counter VALUES (0)"))
    inside = 0
    most_inside = 0
    guard = threading.Lock()
    errors: list[BaseException] = []

    def writer() -> None:
        nonlocal inside, most_inside
        try:
            for _ in range(10):
                with db.write() as conn:
                    with guard:
                        inside += 1
                        most_inside = max(most_inside, inside)
                    seen = conn.execute(text("SELECT n FROM counter")).scalar_one()
                    conn.execute(text("UPDATE counter SET n = :n"), {"n": seen + 1})
                    with guard:
                        inside -= 1
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=writer) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not errors
    assert most_inside == 1  # one write transaction at a time in this process
    with db.read() as conn:
        assert conn.execute(text("SELECT n FROM counter")).scalar_one() == 8 * 10
    db.dispose()


def test_a_failed_write_releases_the_turn(tmp_path: Path) -> None:
    db = Database.from_url(f"sqlite:///{(tmp_path / 'f.db').as_posix()}")
    with pytest.raises(RuntimeError):
        with db.write():
            raise RuntimeError("handler failed")
    done = threading.Event()

    def other_thread_writes() -> None:
        with db.write() as conn:
            conn.execute(text("CREATE TABLE t (x INTEGER)"))
        done.set()

    thread = threading.Thread(target=other_thread_writes)
    thread.start()
    thread.join(10)
    assert done.is_set()
    db.dispose()
