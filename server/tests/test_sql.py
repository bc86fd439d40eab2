"""`server.sql`: statements of the write path straight on SQLite's driver, through SQLAlchemy
elsewhere, with SQLAlchemy's errors either way and its processing kept where a column needs it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from specfirst.server.db import Database
from specfirst.server.sql import insert_row, run_sql
from specfirst.server.tests.conftest import BACKENDS
from sqlalchemy import event
from sqlalchemy.exc import IntegrityError

metadata = sa.MetaData()
plain = sa.Table(
    "plain", metadata,
    sa.Column("seq", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("name", sa.String(40), nullable=False, unique=True),
    sa.Column("note", sa.Text, nullable=True),
    sa.Column("score", sa.BigInteger, nullable=False),
    sa.Column("flag", sa.Integer, nullable=False),
)
processed = sa.Table(
    "processed", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("at", sa.DateTime, nullable=False),  # SQLite stores it as text: a bind processor
    sa.Column("on", sa.Boolean, nullable=False),  # checked and made 0 or 1 by SQLAlchemy
    sa.Column("ratio", sa.Float, nullable=False),  # made a float by SQLAlchemy
)
defaulted = sa.Table(
    "defaulted", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("status", sa.String(10), nullable=False, default="new"),  # Python-side default
)


@pytest.fixture()
def database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    url = request.getfixturevalue("backend_url") if hasattr(request, "param") else (
        f"sqlite:///{(tmp_path / 's.db').as_posix()}")
    db = Database.from_url(url)
    metadata.drop_all(db.engine)
    metadata.create_all(db.engine)
    yield db
    metadata.drop_all(db.engine)
    db.dispose()


def _through_sqlalchemy(db: Database) -> list[str]:
    """The statements SQLAlchemy executes from now on (its cursor events)."""
    seen: list[str] = []

    @event.listens_for(db.engine, "before_cursor_execute")
    def _seen(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        seen.append(statement)

    return seen


def test_on_sqlite_plain_rows_go_straight_to_the_driver_inside_the_transaction(
        tmp_path: Path) -> None:
    db = Database.from_url(f"sqlite:///{(tmp_path / 's.db').as_posix()}")
    metadata.create_all(db.engine)
    try:
        seen = _through_sqlalchemy(db)
        with db.write() as conn:
            insert_row(conn, plain, {"name": "a", "note": None, "score": 15, "flag": 1})
            insert_row(conn, plain, {"name": "b", "note": "x", "score": 20, "flag": 0})
            rows = run_sql(conn, "SELECT name, flag FROM plain WHERE score > :low ORDER BY name",
                           {"low": 10})
            assert rows == [("a", 1), ("b", 0)]
            assert not [s for s in seen if "plain" in s]  # neither went through SQLAlchemy
        with db.write() as conn:
            insert_row(conn, plain, {"name": "c", "note": None, "score": 0, "flag": 1})
            run_sql(conn, "SAVEPOINT s")
            insert_row(conn, plain, {"name": "d", "note": None, "score": 0, "flag": 1})
            run_sql(conn, "ROLLBACK TO SAVEPOINT s")
            run_sql(conn, "RELEASE SAVEPOINT s")
            conn.rollback()  # the whole transaction: "c" goes too
        with db.read() as conn:
            assert [r[0] for r in conn.execute(sa.select(plain.c.name).order_by(
                plain.c.name))] == ["a", "b"]
    finally:
        db.dispose()


@pytest.mark.parametrize("backend_url", BACKENDS, indirect=True)
def test_errors_are_sqlalchemys_on_either_backend(backend_url: str) -> None:
    db = Database.from_url(backend_url)
    metadata.drop_all(db.engine)
    metadata.create_all(db.engine)
    try:
        with db.write() as conn:
            insert_row(conn, plain, {"name": "same", "note": None, "score": 1, "flag": 1})
        with pytest.raises(IntegrityError), db.write() as conn:
            insert_row(conn, plain, {"name": "same", "note": None, "score": 1, "flag": 1})
        with pytest.raises(IntegrityError), db.write() as conn:
            run_sql(conn, "INSERT INTO plain (name, score, flag) VALUES (:n, 1, :f)",
                    {"n": "same", "f": 1})
        with db.read() as conn:
            assert run_sql(conn, "SELECT count(*) FROM plain WHERE flag = :f",
                           {"f": 1}) == [(1,)]
    finally:
        metadata.drop_all(db.engine)
        db.dispose()


def test_columns_that_need_sqlalchemy_still_get_it(tmp_path: Path) -> None:
    """A type with a bind processor (DateTime on SQLite) or a Python-side default left out:
    the row goes through SQLAlchemy, which converts and fills them."""
    db = Database.from_url(f"sqlite:///{(tmp_path / 's.db').as_posix()}")
    metadata.create_all(db.engine)
    try:
        seen = _through_sqlalchemy(db)
        when = dt.datetime(2026, 12, 7, 12, 30, 5)
        with db.write() as conn:
            insert_row(conn, processed, {"id": 1, "at": when, "on": True, "ratio": 2})
            insert_row(conn, defaulted, {"id": 1})
        assert [s for s in seen if "processed" in s] and [s for s in seen if "defaulted" in s]
        with db.read() as conn:
            assert tuple(conn.execute(sa.select(processed.c.at, processed.c.on,
                                                processed.c.ratio)).one()) == (when, True, 2.0)
            assert conn.execute(sa.select(defaulted.c.status)).scalar_one() == "new"
    finally:
        db.dispose()
