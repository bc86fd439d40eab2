"""Versioned schema migrations, applied in order at start-up and by `specfirst admin migrate`.

Each module `mNNNN_<name>.py` in this package defines `VERSION: int` and
`def upgrade(conn: sqlalchemy.Connection) -> None`. `apply_migrations(db)` runs, in one write
transaction per migration, every module whose version is not yet in `schema_migrations`. Two
processes starting at once are safe: the check-and-apply happens under a database lock
(`BEGIN IMMEDIATE` on SQLite, `pg_advisory_xact_lock` on PostgreSQL), so the second one waits
and then finds nothing left to do.
"""

from __future__ import annotations

import importlib
import logging
import pkgutil
import re
from dataclasses import dataclass
from types import ModuleType

from specfirst.server.db import Database
from sqlalchemy import Connection, text

__all__ = ["Migration", "apply_migrations", "discover", "schema_version"]

log = logging.getLogger(__name__)

_MODULE = re.compile(r"^m(\d{4})_\w+$")
_LOCK_KEY = 727_001  # arbitrary constant shared by every process of this application


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    module: ModuleType


def discover() -> list[Migration]:
    """Every migration module of this package, in version order."""
    found: list[Migration] = []
    for info in pkgutil.iter_modules(__path__):
        match = _MODULE.match(info.name)
        if not match:
            continue
        module = importlib.import_module(f"{__name__}.{info.name}")
        version = int(module.VERSION)
        if version != int(match.group(1)):
            raise RuntimeError(f"migration {info.name} declares VERSION {version}")
        found.append(Migration(version, info.name, module))
    found.sort(key=lambda m: m.version)
    versions = [m.version for m in found]
    if len(set(versions)) != len(versions):
        raise RuntimeError(f"duplicate migration versions: {versions}")
    return found


_CREATE = (
    "CREATE TABLE IF NOT EXISTS schema_migrations ("
    " version INTEGER PRIMARY KEY, name VARCHAR(200) NOT NULL, applied_at VARCHAR(40) NOT NULL)"
)


def _lock(conn: Connection, db: Database) -> None:
    if not db.is_sqlite:
        conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _LOCK_KEY})


def applied_versions(conn: Connection) -> set[int]:
    return {row[0] for row in conn.execute(text("SELECT version FROM schema_migrations"))}


def apply_migrations(db: Database) -> list[int]:
    """Apply every pending migration; returns the versions applied by this call."""
    migrations = discover()
    applied_now: list[int] = []
    with db.write() as conn:
        _lock(conn, db)
        conn.execute(text(_CREATE))
    for migration in migrations:
        with db.write() as conn:
            _lock(conn, db)
            if migration.version in applied_versions(conn):
                continue
            log.info("applying migration %s", migration.name)
            migration.module.upgrade(conn)
            conn.execute(
                text("INSERT INTO schema_migrations (version, name, applied_at) "
                     "VALUES (:v, :n, :t)"),
                {"v": migration.version, "n": migration.name, "t": _now()},
            )
            applied_now.append(migration.version)
    return applied_now


def schema_version(db: Database) -> int:
    with db.read() as conn:
        versions = applied_versions(conn)
    return max(versions, default=0)


def _now() -> str:
    from specfirst.server.timeutil import now_iso

    return now_iso()
