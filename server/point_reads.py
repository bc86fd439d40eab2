"""One-row reads on the hot path without SQLAlchemy's statement machinery.

Every authenticated request looks its token up by hash. Through SQLAlchemy Core inside
`Database.read()` that is three statements (`BEGIN`, the `SELECT`, `ROLLBACK`) and a good share
of a read request's CPU time in statement construction, cache-key generation and event
dispatch. A single `SELECT` is atomic on its own, so on SQLite `first_row` runs it directly on
a pooled DBAPI connection (which the engine keeps in autocommit mode: `server.db` emits `BEGIN`
itself) with the driver's named parameters. Other backends go through `Database.read()`.

    first_row(db, "SELECT id, name FROM specfirst_tenants WHERE id = :id", {"id": tenant_id})

A sync handler runs in a worker thread (Connexion's rule, as in Starlette and FastAPI), so that
a handler that waits — on the network, on a lock, on a long query — does not hold up the event
loop. For a handler whose whole database work is a few point reads of a local SQLite file, the
hand-off to that thread and back costs more than the work itself: about two fifths of the CPU of
a `GET /customers/{id}` (docs/performance.md). `@point_read` says so of a handler:

    @point_read
    def get_book(book_id, *, token_info=None):
        return first_row(get_db(), "SELECT ... WHERE id = :id", {"id": book_id}) ...

On SQLite (in WAL mode a reader never waits for a writer) the handler then runs on the event
loop; on any other database it runs in a worker thread like every sync handler, since a read
there crosses the network. The marker is a promise: a handler that writes, calls another
service or reads more than a handful of rows must not carry it, or every other request waits
for it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from specfirst.server.db import Database
from specfirst.server.sql import run_sql

__all__ = ["first_row", "is_point_read", "point_read"]

_MARK = "__specfirst_point_read__"
F = TypeVar("F", bound=Callable[..., Any])


def point_read(function: F) -> F:
    """Mark a sync handler whose database work is a few point reads: on SQLite it runs on the
    event loop rather than in a worker thread (module docstring)."""
    setattr(function, _MARK, True)
    return function


def is_point_read(function: Callable[..., Any]) -> bool:
    """Whether `function` (or what it wraps, through `functools.wraps`) carries `@point_read`."""
    return bool(getattr(function, _MARK, False))


def first_row(db: Database, sql: str, params: Mapping[str, Any]) -> tuple[Any, ...] | None:
    """The first row of a single read-only statement, as a tuple (None when there is none)."""
    if db.is_sqlite:
        raw = db.engine.raw_connection()
        try:
            cursor = raw.cursor()
            try:
                cursor.execute(sql, dict(params))
                row = cursor.fetchone()
            finally:
                cursor.close()
        finally:
            raw.close()  # back to the pool
        return tuple(row) if row is not None else None
    with db.read() as conn:
        rows = run_sql(conn, sql, params)
    return rows[0] if rows else None
