"""One-row reads on the hot path without SQLAlchemy's statement machinery.

Every authenticated request looks its token up by hash. Through SQLAlchemy Core inside
`Database.read()` that is three statements (`BEGIN`, the `SELECT`, `ROLLBACK`) and a good share
of a read request's CPU time in statement construction, cache-key generation and event
dispatch. A single `SELECT` is atomic on its own, so on SQLite `first_row` runs it directly on
a pooled DBAPI connection (which the engine keeps in autocommit mode: `server.db` emits `BEGIN`
itself) with the driver's named parameters. Other backends go through `Database.read()`.

    first_row(db, "SELECT id, name FROM specfirst_tenants WHERE id = :id", {"id": tenant_id})
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from specfirst.server.db import Database
from sqlalchemy import text

__all__ = ["first_row"]


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
        found = conn.execute(text(sql), dict(params)).first()
    return tuple(found) if found is not None else None
